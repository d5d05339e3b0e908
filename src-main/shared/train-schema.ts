// The training configuration's schema: every setting's range, default, label and help text.
// Placeholder: being filled in (issue 11).

/** What the New run form, the CLI's --help and validation learn about the settings. */
export interface TrainingOptions {
  /** Filled in by the schema work of issue 11. */
  fields: unknown[];
}
