import path from 'node:path';
import { WorkbenchError } from '../errors';

/** The database file belongs to a newer version of the app than this one. */
export class DatabaseTooNewError extends WorkbenchError {
  constructor(file: string, found: number, known: number) {
    super(
      'unusable',
      `${file} was written by a newer version of Timbre Workbench (schema ${found}; this version knows up to ${known}). ` +
        'Update the app, or point TIMBRE_HOME at another folder.',
      { name: 'DatabaseTooNewError' },
    );
  }
}

/** A database file that cannot be opened as SQLite. */
export class DatabaseOpenError extends WorkbenchError {
  constructor(file: string, cause: string) {
    super('unusable', `Cannot open the database ${file}: ${cause}`, { name: 'DatabaseOpenError' });
  }
}

/** The database file is damaged; nothing more is written to it. */
export class DatabaseDamagedError extends WorkbenchError {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(
      'unusable',
      `The database ${file} is damaged (${detail}); nothing more was written to it. ` +
        '`timbre db check` says more; `timbre db restore` puts back the newest good backup and keeps the damaged file aside.',
      { name: 'DatabaseDamagedError' },
    );
  }
}

/** The database file is empty or gone while what it kept track of (models, data sets, backups) is still there. */
export class DatabaseMissingError extends WorkbenchError {
  constructor(file: string, what: 'empty' | 'missing', left: string[]) {
    super(
      'unusable',
      `The database ${file} is ${what === 'empty' ? 'empty (0 bytes)' : 'missing'}, but ${left.join(', ')} ` +
        `from earlier use ${left.length > 1 ? 'are' : 'is'} still there; a new empty database would lose track of them. ` +
        '`timbre db restore` puts back the newest good backup; to start afresh instead, move those folders out of ' +
        `${path.dirname(file)}.`,
      { name: 'DatabaseMissingError' },
    );
  }
}
