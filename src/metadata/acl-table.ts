/**
 * The ACL bindings of the metadata image, by record id, as AccessControlEntryRecord and
 * RemoveAccessControlEntryRecord leave them. A version number counts changes, so readers
 * (the authorizer's per-type index) know when to rebuild what they derived.
 */
import type { AclBinding } from './acl-types.js';

export class AclTable {
  private readonly byId = new Map<string, AclBinding>();
  private byType: Map<number, AclBinding[]> | null = null;
  /** Bumped on every change. */
  version = 0;

  add(binding: AclBinding): void {
    this.byId.set(binding.id, binding);
    this.changed();
  }

  remove(id: string): void {
    if (this.byId.delete(id)) this.changed();
  }

  get size(): number {
    return this.byId.size;
  }

  all(): IterableIterator<AclBinding> {
    return this.byId.values();
  }

  /** The bindings on resources of one type (index rebuilt after a change). */
  ofResourceType(resourceType: number): readonly AclBinding[] {
    if (this.byType === null) {
      const index = new Map<number, AclBinding[]>();
      for (const b of this.byId.values()) {
        const list = index.get(b.resourceType);
        if (list) list.push(b);
        else index.set(b.resourceType, [b]);
      }
      this.byType = index;
    }
    return this.byType.get(resourceType) ?? [];
  }

  private changed(): void {
    this.version++;
    this.byType = null;
  }
}
