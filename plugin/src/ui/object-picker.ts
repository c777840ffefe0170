// The object row of the panel: pick, add, name and delete the objects of the clip (ObjectList).
import { button, el, field, setChildren } from './dom';
import type { ObjectList, SegmentedObject } from './object-list';

export class ObjectPicker {
  readonly root: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly name: HTMLInputElement;
  private readonly buttons: HTMLButtonElement[];

  constructor(
    private readonly list: ObjectList,
    /** Called after the selected object changed (picked, added or the old one deleted). */
    private readonly onSelect: (object: SegmentedObject) => void,
    /** Called after the selected object was renamed. */
    private readonly onRename: (object: SegmentedObject) => void,
    private readonly onError: (err: unknown) => void,
  ) {
    this.select = el('select', { 'data-testid': 'object', title: 'Object to segment' });
    this.select.addEventListener('change', () => this.act(() => this.pick(this.select.value)));
    this.name = el('input', { type: 'text', 'data-testid': 'object-name', title: 'Name of the object' });
    this.name.addEventListener('change', () =>
      this.act(() => {
        this.list.rename(this.name.value);
        this.onRename(this.list.current);
      }),
    );
    const add = button('Add', () => this.act(() => this.pick(this.list.add().id)), {
      variant: 'quiet',
      testId: 'add-object',
      title: 'Add an object to segment in this clip',
    });
    const remove = button('Delete', () => this.act(() => this.deleteCurrent()), {
      variant: 'quiet',
      testId: 'delete-object',
      title: 'Remove the object from the panel',
    });
    this.buttons = [add, remove];
    this.root = el('div', { className: 'objects' }, [
      el('div', { className: 'row' }, [field('Object', this.select), add, remove]),
      el('div', { className: 'row' }, [field('Name', this.name)]),
    ]);
    this.render();
  }

  set disabled(value: boolean) {
    for (const c of [this.select, this.name, ...this.buttons]) c.disabled = value;
  }

  /** Shows the list as it is now. */
  render(): void {
    setChildren(
      this.select,
      this.list.all.map((o) =>
        el('option', { value: o.id, selected: o.id === this.list.current.id }, [
          o.fineTuned ? `${o.name} ✓` : o.name,
        ]),
      ),
    );
    this.select.value = this.list.current.id;
    // A refresh while the editor types a name (a job ending) must not overwrite what is typed.
    if (document.activeElement !== this.name) this.name.value = this.list.current.name;
  }

  private pick(id: string): void {
    this.onSelect(this.list.select(id));
  }

  private deleteCurrent(): void {
    this.list.removeCurrent();
    this.onSelect(this.list.current);
  }

  private act(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.onError(err);
    }
    this.render();
  }
}
