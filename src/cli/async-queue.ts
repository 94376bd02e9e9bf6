// A push-to-pull bridge: callbacks push items, one consumer iterates them.
// Bounded, because a watcher that stops reading must not grow the node's memory
// without end: on overflow the iteration fails instead of silently dropping changes.

export class QueueOverflowError extends Error {
  override name = 'QueueOverflowError';
}

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiter: ((r: IteratorResult<T>) => void) | undefined;
  private failWaiter: ((e: Error) => void) | undefined;
  private ended = false;
  private error: Error | undefined;

  constructor(
    private readonly limit = 10_000,
    private readonly onEnd: () => void = () => {},
  ) {}

  push(item: T): void {
    if (this.ended) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = this.failWaiter = undefined;
      w({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.limit) {
      this.fail(new QueueOverflowError(`more than ${this.limit} changes waiting: the reader fell behind`));
      return;
    }
    this.items.push(item);
  }

  /** End the iteration after the items already queued. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    if (this.waiter && this.items.length === 0) {
      const w = this.waiter;
      this.waiter = this.failWaiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  fail(e: Error): void {
    if (this.ended) return;
    this.error = e;
    this.items.length = 0;
    this.ended = true;
    this.onEnd();
    if (this.failWaiter) {
      const f = this.failWaiter;
      this.waiter = this.failWaiter = undefined;
      f(e);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.error) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
