/**
 * Kubernetes name and label syntax (apimachinery's validation), used both to validate edited
 * manifests and to refuse patch values that are not what the field can hold.
 */

/** A DNS-1123 label: container names, port names' shape, most object names' parts. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain: object names of most kinds. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A label's name part and a label value's shape. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function isObjectName(v: string): boolean {
  return v.length <= 253 && DNS_SUBDOMAIN.test(v);
}

export function isContainerName(v: string): boolean {
  return v.length <= 63 && DNS_LABEL.test(v);
}

/** A named port (IANA_SVC_NAME): at most 15 characters, a letter somewhere, no `--`. */
export function isPortName(v: string): boolean {
  return v.length <= 15 && DNS_LABEL.test(v) && /[a-z]/.test(v) && !v.includes('--');
}

export function isPortNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

/** `app`, `app.kubernetes.io/name`: an optional DNS subdomain prefix, then a name of ≤ 63. */
export function isLabelKey(v: string): boolean {
  const slash = v.indexOf('/');
  const prefix = slash === -1 ? undefined : v.slice(0, slash);
  const name = slash === -1 ? v : v.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

/** Empty, or a name of ≤ 63 characters. */
export function isLabelValue(v: string): boolean {
  return v === '' || (v.length <= 63 && LABEL_NAME.test(v));
}

/** An HTTP probe path (`/healthz`, `/ready?full=1`): no spaces, quotes or shell characters, ≤ 256. */
export function isHttpPath(v: string): boolean {
  return v.length <= 256 && /^\/[A-Za-z0-9._~%/:@-]*(\?[A-Za-z0-9._~%&=-]*)?$/.test(v);
}
