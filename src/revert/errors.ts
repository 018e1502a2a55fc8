import { WaybackError } from '../errors.js';

export class EmptySelectionError extends WaybackError {
  constructor(readonly description: string) {
    super('selection-empty', `${description} matches no journal entry; "wayback changesets" lists what can be reverted`);
  }
}

export class BadSelectorError extends WaybackError {
  constructor(message: string) {
    super('bad-selector', message);
  }
}
