// The central system's requests (OCPP 1.6 §5) and the charger's answers, one
// entry per action. Each entry names the fields it needs and their types, so a
// malformed request is answered with the CALLERROR OCPP defines for it instead
// of being guessed at; then it acts on the charge point and answers. Actions
// of profiles this charger does not implement (firmware, diagnostics,
// reservations) are answered NotImplemented.

import type { ChargePoint } from './charge-point';
import { profileError } from './charging-profiles';
import { composite, type ChargingProfile, type Unit } from './composite-schedule';
import { ErrorCode, isoTime, type ErrorCodeName, type Payload } from './framing';

export type Outcome = ({ result: Payload } | { error: ErrorCodeName; description: string }) & { after?: () => void };

type FieldType = 'string' | 'integer' | 'number' | 'object' | 'array' | 'boolean';

interface Operation {
  /** Required fields and their types; optional ones are checked where used. */
  needs: Record<string, FieldType>;
  run(cp: ChargePoint, p: Payload): Outcome;
}

const ok = (result: Payload, after?: () => void): Outcome => ({ result, after });

function typeOf(v: unknown): FieldType | 'null' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as FieldType;
}

const OPERATIONS: Record<string, Operation> = {
  ChangeAvailability: {
    needs: { connectorId: 'integer', type: 'string' },
    run(cp, p) {
      if (p.type !== 'Operative' && p.type !== 'Inoperative') return { error: ErrorCode.PropertyConstraintViolation, description: 'type must be Operative or Inoperative' };
      if ((p.connectorId as number) < 0 || (p.connectorId as number) > 1) return ok({ status: 'Rejected' });
      return ok({ status: cp.setAvailability(p.connectorId as number, p.type === 'Operative') });
    },
  },
  ChangeConfiguration: {
    needs: { key: 'string', value: 'string' },
    run(cp, p) {
      return ok({ status: cp.config.change(p.key as string, p.value as string) });
    },
  },
  GetConfiguration: {
    needs: {},
    run(cp, p) {
      if (p.key !== undefined && (!Array.isArray(p.key) || !p.key.every((k) => typeof k === 'string'))) return { error: ErrorCode.TypeConstraintViolation, description: 'key must be a list of strings' };
      const r = cp.config.report(p.key as string[] | undefined);
      const result: Payload = { configurationKey: r.configurationKey };
      if (r.unknownKey.length) result.unknownKey = r.unknownKey.map((k) => k.slice(0, 50));
      return ok(result);
    },
  },
  ClearCache: {
    needs: {},
    run(cp) {
      cp.auth.clearCache();
      return ok({ status: 'Accepted' });
    },
  },
  DataTransfer: {
    needs: { vendorId: 'string' },
    run() {
      // No vendor extensions: OCPP's answer for a vendor it does not know.
      return ok({ status: 'UnknownVendorId' });
    },
  },
  RemoteStartTransaction: {
    needs: { idTag: 'string' },
    run(cp, p) {
      const connector = p.connectorId ?? 1;
      const profile = p.chargingProfile as ChargingProfile | undefined;
      if (connector !== 1 || !cp.operative || cp.transactions.open) return ok({ status: 'Rejected' });
      if (profile !== undefined && (profileError(profile) !== undefined || profile.chargingProfilePurpose !== 'TxProfile')) return ok({ status: 'Rejected' });
      return ok({ status: 'Accepted' }, () => cp.transactions.remoteStart(p.idTag as string, profile));
    },
  },
  RemoteStopTransaction: {
    needs: { transactionId: 'integer' },
    run(cp, p) {
      const open = cp.transactions.open;
      if (!open || cp.transactions.transactionId !== p.transactionId) return ok({ status: 'Rejected' });
      return ok({ status: 'Accepted' }, () => cp.transactions.stop('Remote', cp.o.reading().energyWh));
    },
  },
  Reset: {
    needs: { type: 'string' },
    run(cp, p) {
      if (p.type !== 'Hard' && p.type !== 'Soft') return { error: ErrorCode.PropertyConstraintViolation, description: 'type must be Hard or Soft' };
      const hard = p.type === 'Hard';
      cp.transactions.markReset(hard ? 'HardReset' : 'SoftReset');
      return ok({ status: 'Accepted' }, () => cp.reset(hard));
    },
  },
  UnlockConnector: {
    needs: { connectorId: 'integer' },
    run() {
      // A J1772 socket with a tethered cable has no lock to open.
      return ok({ status: 'NotSupported' });
    },
  },
  SetChargingProfile: {
    needs: { connectorId: 'integer', csChargingProfiles: 'object' },
    run(cp, p) {
      const profile = p.csChargingProfiles as ChargingProfile;
      const why = profileError(profile);
      if (why) return ok({ status: 'Rejected' }, () => cp.o.log?.(`ocpp: charging profile refused: ${why}`));
      const txId = cp.transactions.transactionId;
      if (profile.chargingProfilePurpose === 'TxProfile' && profile.transactionId !== undefined && profile.transactionId !== txId) return ok({ status: 'Rejected' });
      const status = cp.profiles.set(p.connectorId as number, profile, cp.o.clock.wall(), cp.transactions.open !== undefined);
      return ok({ status }, () => cp.tick());
    },
  },
  ClearChargingProfile: {
    needs: {},
    run(cp, p) {
      const removed = cp.profiles.clear({
        id: p.id as number | undefined,
        connectorId: p.connectorId as number | undefined,
        chargingProfilePurpose: p.chargingProfilePurpose as string | undefined,
        stackLevel: p.stackLevel as number | undefined,
      });
      return ok({ status: removed ? 'Accepted' : 'Unknown' }, () => cp.tick());
    },
  },
  GetCompositeSchedule: {
    needs: { connectorId: 'integer', duration: 'integer' },
    run(cp, p) {
      const connectorId = p.connectorId as number;
      if (connectorId < 0 || connectorId > 1) return ok({ status: 'Rejected' });
      const unit: Unit = p.chargingRateUnit === 'W' ? 'W' : 'A';
      const now = cp.o.clock.wall();
      const duration = p.duration as number;
      const periods = composite(cp.profiles.installed, now, duration, unit, cp.txContext(), cp.o.electrical(), cp.o.currents().max);
      return ok({
        status: 'Accepted',
        connectorId,
        scheduleStart: isoTime(now),
        chargingSchedule: { duration, startSchedule: isoTime(now), chargingRateUnit: unit, chargingSchedulePeriod: periods },
      });
    },
  },
  TriggerMessage: {
    needs: { requestedMessage: 'string' },
    run(cp, p) {
      const c = p.connectorId as number | undefined;
      if (c !== undefined && (c < 0 || c > 1)) return ok({ status: 'Rejected' });
      const what = p.requestedMessage;
      const send: Record<string, () => void> = {
        BootNotification: () => cp.triggerBoot(),
        Heartbeat: () => cp.heartbeat(),
        StatusNotification: () => (c === undefined ? [0, 1] : [c]).forEach((k) => cp.statusNotification(k)),
        MeterValues: () => cp.transactions.meterValues(cp.o.reading(), 'Trigger', cp.config.list('MeterValuesSampledData')),
      };
      if (what === 'DiagnosticsStatusNotification' || what === 'FirmwareStatusNotification') return ok({ status: 'NotImplemented' });
      const fn = send[what as string];
      if (!fn) return { error: ErrorCode.PropertyConstraintViolation, description: 'unknown requestedMessage' };
      return ok({ status: 'Accepted' }, fn);
    },
  },
  GetLocalListVersion: {
    needs: {},
    run(cp) {
      return ok({ listVersion: cp.config.bool('LocalAuthListEnabled') ? cp.auth.listVersion : -1 });
    },
  },
  SendLocalList: {
    needs: { listVersion: 'integer', updateType: 'string' },
    run(cp, p) {
      if (!cp.config.bool('LocalAuthListEnabled')) return ok({ status: 'NotSupported' });
      return ok({ status: cp.auth.update(p as never) });
    },
  },
};

/** Answers one CALL from the central system. */
export function handle(cp: ChargePoint, action: string, payload: Payload): Outcome {
  const op = OPERATIONS[action];
  if (!op) return { error: ErrorCode.NotImplemented, description: `${action} is not implemented` };
  for (const [field, type] of Object.entries(op.needs)) {
    const t = typeOf(payload[field]);
    if (t === 'undefined' as FieldType) return { error: ErrorCode.OccurenceConstraintViolation, description: `${field} is required` };
    if (t !== type && !(type === 'number' && t === 'integer')) return { error: ErrorCode.TypeConstraintViolation, description: `${field} must be ${type === 'integer' ? 'an integer' : `a ${type}`}` };
  }
  try {
    return op.run(cp, payload);
  } catch (e) {
    return { error: ErrorCode.InternalError, description: e instanceof Error ? e.message : String(e) };
  }
}

/** The actions this charger answers (for the documentation test). */
export const SUPPORTED_ACTIONS = Object.keys(OPERATIONS);
