// The objects the editor segments in one clip (a person, the ball, ...), the way Magic Mask and
// Mask Prompter list them. The server keeps each object's annotations, corrections and masks apart
// under its objectId; this list gives them names and says which one the panel works on.

export interface SegmentedObject {
  /** The server's objectId (letters, digits, `_`, `-`; at most 32). */
  readonly id: string;
  name: string;
  /** Fine-tuned (and segmented) on the server: corrections and renders are possible. */
  fineTuned: boolean;
}

/** The first object keeps the id the panel has always used, so earlier server data still matches. */
export const FIRST_OBJECT_ID = 'main';

export class ObjectList {
  private items: SegmentedObject[] = [];
  private selected = 0;
  private nextNumber = 1;

  constructor() {
    this.reset();
  }

  /** Back to one object, "Object 1", for a newly opened clip. */
  reset(): void {
    this.items = [{ id: FIRST_OBJECT_ID, name: 'Object 1', fineTuned: false }];
    this.selected = 0;
    this.nextNumber = 2;
  }

  get all(): readonly SegmentedObject[] {
    return this.items;
  }

  get current(): SegmentedObject {
    // selected stays within items: reset, add, select and removeCurrent keep it there.
    return this.items[this.selected]!;
  }

  find(id: string): SegmentedObject | undefined {
    return this.items.find((o) => o.id === id);
  }

  /** Adds an object (named "Object n" when the name is blank) and selects it. */
  add(name = ''): SegmentedObject {
    let id: string;
    do id = `object-${this.nextNumber++}`;
    while (this.find(id));
    const object: SegmentedObject = {
      id,
      name: name.trim() || `Object ${this.nextNumber - 1}`,
      fineTuned: false,
    };
    this.items.push(object);
    this.selected = this.items.length - 1;
    return object;
  }

  /** Takes in the objects the server already holds for this clip (reopened clip). */
  adopt(serverObjects: readonly { objectId: string; fineTuned: boolean }[]): void {
    for (const o of serverObjects) {
      const known = this.find(o.objectId);
      if (known) known.fineTuned = o.fineTuned;
      else this.items.push({ id: o.objectId, name: o.objectId, fineTuned: o.fineTuned });
    }
  }

  select(id: string): SegmentedObject {
    const i = this.items.findIndex((o) => o.id === id);
    if (i < 0) throw new Error(`No object "${id}" in this clip.`);
    this.selected = i;
    return this.current;
  }

  rename(name: string): void {
    const trimmed = name.trim();
    if (!trimmed) throw new Error('Give the object a name.');
    this.current.name = trimmed;
  }

  /**
   * Removes the selected object from the panel (the server keeps its data: there is no request to
   * delete it). The last object can't be removed.
   */
  removeCurrent(): SegmentedObject {
    if (this.items.length === 1) throw new Error('A clip keeps at least one object; rename it instead.');
    const [removed] = this.items.splice(this.selected, 1);
    this.selected = Math.min(this.selected, this.items.length - 1);
    return removed!;
  }
}
