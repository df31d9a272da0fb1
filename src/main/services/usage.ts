import type { ImportReport } from '../../shared/api';
import {
  ImportFormatError,
  importUsageFile,
  importUsageText,
  recordUsageEvents,
  type EventDecision,
  type EventInput,
  type ImportProgress,
} from '../usage-import';
import { newId, type Ledger } from '../ledger';
import { ApiFailure } from '../../shared/api';

/** Usage import (CSV or JSON Lines, streamed, idempotent by event id) and direct recording. */
export class UsageService {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => number,
  ) {}

  /** A fresh import id, so a caller can route progress before the import starts. */
  newImportId(): string {
    return newId('IM');
  }

  async importFile(path: string, actor: string, onProgress?: (p: ImportProgress) => void, importId?: string): Promise<ImportReport> {
    try {
      return await importUsageFile(this.ledger, path, { actor, clock: this.clock, onProgress, importId });
    } catch (error) {
      throw translate(error);
    }
  }

  async importText(fileName: string, text: string, actor: string, onProgress?: (p: ImportProgress) => void, importId?: string): Promise<ImportReport> {
    try {
      return await importUsageText(this.ledger, fileName, text, { actor, clock: this.clock, onProgress, importId });
    } catch (error) {
      throw translate(error);
    }
  }

  record(events: readonly EventInput[], actor: string): EventDecision[] {
    return recordUsageEvents(this.ledger, events, { actor, clock: this.clock });
  }
}

function translate(error: unknown): unknown {
  if (error instanceof ImportFormatError) return new ApiFailure('validation', `Nothing was imported: ${error.message}.`);
  return error;
}
