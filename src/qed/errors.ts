/** The image is not a valid QED image, or a table entry points somewhere it must not. */
export class QedFormatError extends Error {
  constructor(
    readonly image: string,
    readonly field: string,
    message: string,
  ) {
    super(`${image}: ${message}`);
    this.name = 'QedFormatError';
  }
}

/** A request outside the image, or an operation the open mode does not allow. */
export class QedUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QedUsageError';
  }
}
