/** Whether a URL path names its content (a hashed file, or a file in a hashed folder); never a page. */
export function contentNamed(path: string): boolean;
/** The cache-control header for `path`: kept for good if it names its content, else revalidated. */
export function cacheControl(path: string): string;
