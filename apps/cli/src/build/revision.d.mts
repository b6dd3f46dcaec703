/** The commit a build comes from: REVISION, else the HEAD of the checkout holding `dir`, else "unknown". */
export function checkoutRevision(dir: string): string;
