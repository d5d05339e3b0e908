import { errorKind } from '../errors';

/** Training stopped for a reason the user can act on (diverged, out of memory, bad data). */
export const TrainingError = errorKind('TrainingError', 'bad-input');
export type TrainingError = InstanceType<typeof TrainingError>;

/** Why a training or evaluation worker failed, as the run records it: out of memory says what to try. */
export function failureReason(err: unknown): string {
  if (err instanceof TrainingError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof RangeError || /out of memory|allocation|Array buffer/i.test(message)) {
    return `Out of memory while training (${message}). Try a smaller batch, model or clip.`;
  }
  return message;
}
