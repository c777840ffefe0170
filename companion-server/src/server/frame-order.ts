/** Order in which frames are segmented: the playhead frame, the frames after it, then the ones before (nearest first). */
export function playheadFirstOrder(first: number, last: number, playhead: number | undefined): number[] {
  const p = playhead === undefined ? first : Math.min(last, Math.max(first, playhead));
  const order: number[] = [];
  for (let i = p; i <= last; i++) order.push(i);
  for (let i = p - 1; i >= first; i--) order.push(i);
  return order;
}
