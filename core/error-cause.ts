/**
 * What a thrown value says, for the messages of reports and logs: anything may be thrown, and a
 * message names the cause, never the value's whole structure.
 */

/** The message of an error, or the thrown value as text. */
export function causeOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The message with the error's name first (`AccessDeniedException: …`): for errors whose name
 * says what the message does not, as an AWS service's do.
 */
export function namedCauseOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
