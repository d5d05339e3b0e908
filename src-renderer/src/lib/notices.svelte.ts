/** A short message that outlives the view that raised it (e.g. "queued behind run 12"). */
export interface Notice {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

/** Transient notices shown in a corner of the frame. */
class Notices {
  list = $state.raw<Notice[]>([]);
  private next = 1;

  /** Shows a notice for `ms` milliseconds. */
  show(text: string, kind: Notice['kind'] = 'info', ms = 6000): void {
    const id = this.next++;
    this.list = [...this.list, { id, text, kind }];
    setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}

export const notices = new Notices();

/** "Now", ticking every 10 s, for relative timestamps that stay true. */
class Clock {
  now = $state(Date.now());
  constructor() {
    if (typeof window !== 'undefined') setInterval(() => (this.now = Date.now()), 10_000);
  }
}

export const clock = new Clock();
