// The charge point's OCPP configuration keys (OCPP 1.6 §9): the standard keys
// of the profiles this charger implements, as a table of type, access and
// default. GetConfiguration reads it, ChangeConfiguration validates against it
// and persists through the Storage port (one key, so a save is all-or-nothing).
// Keys that mirror a gateway setting (AllowOfflineTxForUnknownId is OpenEVSE's
// `ocpp_auth_offline`) are bound to it instead of stored here.

import type { Storage } from '../ports';

type Kind = 'bool' | 'int' | 'csl' | 'string';

interface KeySpec {
  kind: Kind;
  /** Read-only keys are reported but refused by ChangeConfiguration. */
  readonly?: true;
  /** Write-only keys are accepted but never reported (the authorisation key). */
  writeonly?: true;
  value: string;
  /** For CSL keys: the values allowed in the list. */
  allowed?: readonly string[];
  min?: number;
}

export const MEASURANDS = ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Current.Offered', 'Voltage', 'Temperature'] as const;
export type Measurand = (typeof MEASURANDS)[number];

const MAX_KEYS = 64;

/** The keys, their kind and defaults (defaults as MicroOcpp ships them where OpenEVSE does not change them). */
export const KEYS: Readonly<Record<string, KeySpec>> = {
  // Core
  AllowOfflineTxForUnknownId: { kind: 'bool', value: 'true' },
  AuthorizationCacheEnabled: { kind: 'bool', value: 'true' },
  AuthorizeRemoteTxRequests: { kind: 'bool', value: 'false' },
  ClockAlignedDataInterval: { kind: 'int', value: '0', min: 0 },
  ConnectionTimeOut: { kind: 'int', value: '30', min: 1 },
  ConnectorPhaseRotation: { kind: 'csl', value: '0.NotApplicable,1.NotApplicable' },
  GetConfigurationMaxKeys: { kind: 'int', readonly: true, value: String(MAX_KEYS) },
  HeartbeatInterval: { kind: 'int', value: '86400', min: 1 },
  LocalAuthorizeOffline: { kind: 'bool', value: 'true' },
  LocalPreAuthorize: { kind: 'bool', value: 'false' },
  MeterValuesAlignedData: { kind: 'csl', value: 'Energy.Active.Import.Register', allowed: MEASURANDS },
  MeterValuesAlignedDataMaxLength: { kind: 'int', readonly: true, value: String(MEASURANDS.length) },
  MeterValuesSampledData: { kind: 'csl', value: 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Current.Offered,Voltage,Temperature', allowed: MEASURANDS },
  MeterValuesSampledDataMaxLength: { kind: 'int', readonly: true, value: String(MEASURANDS.length) },
  MeterValueSampleInterval: { kind: 'int', value: '60', min: 0 },
  NumberOfConnectors: { kind: 'int', readonly: true, value: '1' },
  ResetRetries: { kind: 'int', value: '3', min: 0 },
  StopTransactionOnEVSideDisconnect: { kind: 'bool', value: 'true' },
  StopTransactionOnInvalidId: { kind: 'bool', value: 'true' },
  StopTxnAlignedData: { kind: 'csl', value: '', allowed: MEASURANDS },
  StopTxnAlignedDataMaxLength: { kind: 'int', readonly: true, value: '0' },
  StopTxnSampledData: { kind: 'csl', value: '', allowed: MEASURANDS },
  StopTxnSampledDataMaxLength: { kind: 'int', readonly: true, value: '0' },
  SupportedFeatureProfiles: { kind: 'csl', readonly: true, value: 'Core,SmartCharging,RemoteTrigger,LocalAuthListManagement' },
  TransactionMessageAttempts: { kind: 'int', value: '3', min: 1 },
  TransactionMessageRetryInterval: { kind: 'int', value: '20', min: 1 },
  UnlockConnectorOnEVSideDisconnect: { kind: 'bool', readonly: true, value: 'false' },
  // Local auth list management
  LocalAuthListEnabled: { kind: 'bool', value: 'true' },
  LocalAuthListMaxLength: { kind: 'int', readonly: true, value: '50' },
  SendLocalListMaxLength: { kind: 'int', readonly: true, value: '50' },
  // Smart charging
  ChargeProfileMaxStackLevel: { kind: 'int', readonly: true, value: '8' },
  ChargingScheduleAllowedChargingRateUnit: { kind: 'csl', readonly: true, value: 'Current,Power' },
  ChargingScheduleMaxPeriods: { kind: 'int', readonly: true, value: '24' },
  MaxChargingProfilesInstalled: { kind: 'int', readonly: true, value: '8' },
  // Security profile 1 (OCPP 1.6 security whitepaper)
  AuthorizationKey: { kind: 'string', writeonly: true, value: '' },
};

export type ChangeStatus = 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported';

/** A key the host owns (a gateway setting), read and written through it. */
export interface Binding {
  get(): string;
  set(value: string): void;
}

const STORAGE_KEY = 'ocpp.cfg';

function check(spec: KeySpec, value: string): boolean {
  if (value.length > 500) return false;
  if (spec.kind === 'bool') return value === 'true' || value === 'false';
  if (spec.kind === 'int') return /^-?\d{1,9}$/.test(value) && Number(value) >= (spec.min ?? Number.MIN_SAFE_INTEGER);
  if (spec.kind === 'csl' && spec.allowed) {
    const items = value === '' ? [] : value.split(',');
    return items.every((i) => spec.allowed!.includes(i.trim()));
  }
  return true;
}

export class Configuration {
  readonly #storage: Storage;
  readonly #values: Record<string, string> = {};
  readonly #bindings: Record<string, Binding>;
  readonly #onChange: (key: string) => void;

  constructor(options: { storage: Storage; bindings?: Record<string, Binding>; onChange?: (key: string) => void }) {
    this.#storage = options.storage;
    this.#bindings = options.bindings ?? {};
    this.#onChange = options.onChange ?? (() => {});
    const saved = options.storage.read(STORAGE_KEY);
    if (saved) {
      try {
        const doc = JSON.parse(saved) as Record<string, unknown>;
        for (const [k, v] of Object.entries(doc)) if (KEYS[k] && !KEYS[k].readonly && typeof v === 'string' && check(KEYS[k], v)) this.#values[k] = v;
      } catch {
        // A damaged document falls back to the defaults rather than stopping OCPP.
      }
    }
  }

  get(key: string): string | undefined {
    const spec = KEYS[key];
    if (!spec) return undefined;
    return this.#bindings[key]?.get() ?? this.#values[key] ?? spec.value;
  }

  int(key: string): number {
    return Number(this.get(key) ?? 0);
  }

  bool(key: string): boolean {
    return this.get(key) === 'true';
  }

  list(key: string): string[] {
    const v = this.get(key) ?? '';
    return v === '' ? [] : v.split(',').map((s) => s.trim());
  }

  /** ChangeConfiguration. */
  change(key: string, value: string): ChangeStatus {
    const spec = KEYS[key];
    if (!spec) return 'NotSupported';
    if (spec.readonly || !check(spec, value)) return 'Rejected';
    const binding = this.#bindings[key];
    if (binding) binding.set(value);
    else {
      this.#values[key] = value;
      this.#storage.write(STORAGE_KEY, JSON.stringify(this.#values));
    }
    this.#onChange(key);
    return 'Accepted';
  }

  /** GetConfiguration: the known keys asked for (all if none), and the unknown ones. */
  report(keys?: readonly string[]): { configurationKey: { key: string; readonly: boolean; value: string }[]; unknownKey: string[] } {
    const wanted = keys && keys.length ? keys : Object.keys(KEYS);
    const configurationKey: { key: string; readonly: boolean; value: string }[] = [];
    const unknownKey: string[] = [];
    for (const key of wanted) {
      const spec = KEYS[key];
      if (!spec || spec.writeonly) unknownKey.push(key);
      else configurationKey.push({ key, readonly: spec.readonly === true, value: this.get(key) as string });
    }
    return { configurationKey: configurationKey.slice(0, MAX_KEYS), unknownKey };
  }
}
