// Names for the API's documents; every shape comes from the generated schema.d.ts.
import type { components } from "./schema";

type Schemas = components["schemas"];

export type TokenPair = Schemas["TokenPair"];
export type AccessToken = Schemas["AccessToken"];
export type UserView = Schemas["UserView"];
export type Role = Schemas["Role"];
export type Problem = Schemas["Problem"];
export type LotDetail = Schemas["LotDetail"];
export type Availability = Schemas["Availability"];
export type SlotView = Schemas["SlotView"];
export type SlotPage = Schemas["SlotPage"];
export type SlotStatus = Schemas["SlotStatus"];
export type AdminLot = Schemas["AdminLot"];
export type AdminLotPage = Schemas["AdminLotPage"];
export type AdminSlot = Schemas["AdminSlot"];
export type SlotSessionPage = Schemas["SlotSessionPage"];
export type OverrideBody = Schemas["OverrideBody"];
export type OverrideStatus = Schemas["OverrideStatus"];
export type NodeView = Schemas["NodeView"];
export type NodePage = Schemas["NodePage"];
export type NodeCreate = Schemas["NodeCreate"];
export type NodeCredentials = Schemas["NodeCredentials"];
export type Accepted = Schemas["Accepted"];
export type EventView = Schemas["EventView"];
export type EventPage = Schemas["EventPage"];
export type OccupancyStats = Schemas["OccupancyStats"];
export type AuditPage = Schemas["AuditPage"];
export type AuditView = Schemas["AuditView"];
export type DeadLetterPage = Schemas["DeadLetterPage"];
export type DeadLetterView = Schemas["DeadLetterView"];
export type BrokerView = Schemas["BrokerView"];
export type FieldProblem = Schemas["FieldProblem"];
export type AlertKind = Schemas["AlertKind"];
export type AlertView = Schemas["AlertView"];
export type AlertPage = Schemas["AlertPage"];
export type RuleView = Schemas["RuleView"];
export type RulePage = Schemas["RulePage"];
export type RuleCreate = Schemas["RuleCreate"];
export type WebhookView = Schemas["WebhookView"];
export type WebhookCreated = Schemas["WebhookCreated"];
export type WebhookPage = Schemas["WebhookPage"];
export type DeliveryPage = Schemas["DeliveryPage"];
export type Tariff = Schemas["Tariff"];
export type TariffPeriod = Schemas["Period"];
export type TariffPut = Schemas["TariffPut"];
export type TariffVersion = Schemas["TariffVersion"];
export type LotTariff = Schemas["LotTariff"];
export type LotOpeningHours = Schemas["LotOpeningHours"];
export type PaymentState = Schemas["PaymentState"];
export type AdminPaymentView = Schemas["AdminPaymentView"];
export type AdminPaymentPage = Schemas["AdminPaymentPage"];
export type RevenueStats = Schemas["RevenueStats"];
export type RevenueDay = Schemas["RevenueDay"];
export type LotForecast = Schemas["LotForecast"];

export const SLOT_STATUSES: readonly SlotStatus[] = [
  "free",
  "occupied",
  "reserved",
  "unknown",
  "closed",
];
export const ALERT_KINDS: readonly AlertKind[] = [
  "lot_full",
  "lot_free_below",
  "node_offline",
  "camera_not_ok",
  "override_expiring",
  "dead_letter_rate",
  "ingest_lag",
];
export const PAYMENT_STATES: readonly PaymentState[] = ["pending", "succeeded", "failed", "refunded"];
export const OVERRIDE_STATUSES: readonly OverrideStatus[] = ["free", "occupied", "unknown", "closed"];
