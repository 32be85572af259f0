// Moddable's `Resource` for the device bench on xsnap: on the device a
// resource is a host buffer over the flash that holds it, and the dashboard
// route (hosts/moddable/dashboard.ts) only wraps it in a Uint8Array view. Here
// each resource is an ArrayBuffer of the page's size, made once: the route's
// own work is the same (a constructor call and a view); what the device's
// HTTP server then sends from flash is native and not metered.

const SIZES: Record<string, number> = { 'dashboard.html.gz': 7641, 'dashboard.html': 22900 };
const made: Record<string, ArrayBuffer> = {};

export default function Resource(name: string): ArrayBuffer {
  const size = SIZES[name];
  if (size === undefined) throw new Error(`no resource ${name}`);
  return (made[name] ??= new ArrayBuffer(size));
}
