/** Error about an input or output image; the message names the file. */
export class ImageError extends Error {
  constructor(message: string, readonly file?: string) { super(message); this.name = 'ImageError'; }
}
