/**
 * The ids of anomalies that ended lately, bounded (the oldest are forgotten first). A condition
 * that comes back with the same onset would map to the same id; a detector checks here so an
 * ended anomaly is never reopened under its old id.
 */
export class EndedAnomalies {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
