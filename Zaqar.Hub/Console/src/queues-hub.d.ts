// The hub at /hubs/queues as TypeScript (issue 15 item 4). GENERATED from the hub class by
// Zaqar.Hub.Tests/Clients/HubTypeScript.cs; the test HubTypeScriptTests fails when this file and the hub differ.
// Regenerate: ZAQAR_WRITE_HUB_TYPES=1 dotnet test Zaqar.Hub.Tests --filter "FullyQualifiedName~HubTypeScript"
import type { IStreamResult } from "@microsoft/signalr";

/** Any JSON value (message bodies, metadata, options). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/**
 * The error of a failed call: a HubException whose message ends with "HubException: " and this object as JSON,
 * with REST's status, title and description.
 */
export interface HubErrorBody {
  status: number;
  title: string;
  description: string | null;
}

/** The methods answered by invoke(): arguments and result. SignalR has no optional arguments: pass null. */
export interface QueuesHub {
  ConfirmSubscription(queue: string, subscriptionId: string, args: ConfirmSubscriptionArgs | null): Promise<void>;
  CreateClaim(queue: string, options: ClaimArgs | null): Promise<ClaimCreatedView | null>;
  CreateFlavor(flavor: string, document: Json): Promise<void>;
  CreatePool(pool: string, document: Json): Promise<void>;
  CreateQueue(queue: string, metadata: Json): Promise<QueueCreatedView>;
  CreateSubscription(queue: string, args: SubscriptionArgs | null): Promise<SubscriptionCreatedView>;
  CreateTopic(topic: string, metadata: Json): Promise<QueueCreatedView>;
  DeleteFlavor(flavor: string): Promise<void>;
  DeleteMessage(queue: string, messageId: string, claimId: string | null): Promise<void>;
  DeleteMessages(queue: string, messageIds: string[], claimIds: string[] | null): Promise<void>;
  DeletePool(pool: string): Promise<void>;
  DeleteQueue(queue: string): Promise<void>;
  DeleteSubscription(queue: string, subscriptionId: string): Promise<void>;
  DeleteTopic(topic: string): Promise<void>;
  DeleteTopicMessage(topic: string, messageId: string): Promise<void>;
  DeleteTopicMessages(topic: string, messageIds: string[]): Promise<void>;
  GetClaim(queue: string, claimId: string): Promise<ClaimView>;
  GetFlavor(flavor: string): Promise<FlavorView>;
  GetMessage(queue: string, messageId: string): Promise<MessageView>;
  GetMessages(queue: string, messageIds: string[] | null): Promise<MessagesView>;
  GetPool(pool: string, detailed: boolean | null): Promise<PoolView>;
  GetPresence(queue: string): Promise<PresenceView>;
  GetQueue(queue: string): Promise<JsonObject>;
  GetQueueStats(queue: string): Promise<QueueStatsView>;
  GetSubscription(queue: string, subscriptionId: string): Promise<SubscriptionView>;
  GetTopic(topic: string): Promise<JsonObject>;
  GetTopicMessage(topic: string, messageId: string): Promise<MessageView>;
  GetTopicMessages(topic: string, messageIds: string[]): Promise<MessagesView>;
  GetTopicPresence(topic: string): Promise<PresenceView>;
  GetTopicStats(topic: string): Promise<TopicStatsView>;
  Health(): Promise<JsonObject>;
  ListFlavors(options: ListPoolsArgs | null): Promise<FlavorPageView>;
  ListMessages(queue: string, options: ListMessagesArgs | null): Promise<MessagePageView>;
  ListPools(options: ListPoolsArgs | null): Promise<PoolPageView>;
  ListQueues(options: ListQueuesArgs | null): Promise<QueuePageView>;
  ListSubscriptions(queue: string, options: ListSubscriptionsArgs | null): Promise<SubscriptionPageView>;
  ListTopicMessages(topic: string, options: ListMessagesArgs | null): Promise<MessagePageView>;
  ListTopics(options: ListQueuesArgs | null): Promise<TopicPageView>;
  Ping(): Promise<boolean>;
  PopMessages(queue: string, count: number): Promise<PoppedView>;
  PopTopicMessages(topic: string, count: number): Promise<PoppedView>;
  PostMessages(queue: string, batch: MessageArgs[] | null): Promise<PostedView>;
  PostTopicMessages(topic: string, batch: MessageArgs[] | null): Promise<PostedView>;
  PurgeQueue(queue: string, resourceTypes: string[] | null): Promise<void>;
  PurgeTopic(topic: string, resourceTypes: string[] | null): Promise<void>;
  ReleaseClaim(queue: string, claimId: string): Promise<void>;
  Subscribe(queue: string): Promise<void>;
  SubscribePresence(queue: string): Promise<PresenceView>;
  SubscribeSince(queue: string, options: SubscribeArgs | null): Promise<SubscribedView>;
  SubscribeTopic(topic: string): Promise<void>;
  SubscribeTopicPresence(topic: string): Promise<PresenceView>;
  SubscribeTopicSince(topic: string, options: SubscribeArgs | null): Promise<SubscribedView>;
  Unsubscribe(queue: string): Promise<void>;
  UnsubscribePresence(queue: string): Promise<void>;
  UnsubscribeTopic(topic: string): Promise<void>;
  UnsubscribeTopicPresence(topic: string): Promise<void>;
  UpdateClaim(queue: string, claimId: string, options: ClaimArgs | null): Promise<void>;
  UpdateFlavor(flavor: string, changes: Json): Promise<FlavorView>;
  UpdatePool(pool: string, changes: Json): Promise<PoolView>;
  UpdateQueueMetadata(queue: string, changes: Json): Promise<JsonObject>;
  UpdateSubscription(queue: string, subscriptionId: string, changes: SubscriptionArgs | null): Promise<void>;
  UpdateTopicMetadata(topic: string, changes: Json): Promise<JsonObject>;
}

/** The methods answered by stream(): each yields items until the caller disposes of the subscription. */
export interface QueuesHubStreams {
  Consume(queue: string, options: ConsumeArgs | null): IStreamResult<ConsumedMessageView>;
  StreamStats(options: StatsArgs | null): IStreamResult<StatsSampleView>;
}

/** What the server calls on the client: register each with connection.on(name, handler). */
export interface QueuesClient {
  Messages(queue: string, messages: PushedMessageView[]): void;
  Presence(queue: string, changes: PresenceEventView[]): void;
  TopicMessages(topic: string, messages: PushedMessageView[]): void;
  TopicPresence(topic: string, changes: PresenceEventView[]): void;
}

export interface ClaimArgs {
  ttl?: number | null;
  grace?: number | null;
  limit?: number | null;
}

export interface ClaimCreatedView {
  claim_id: string;
  messages: MessageView[];
}

export interface ClaimView {
  age: number;
  ttl: number;
  messages: MessageView[];
  href: string;
}

export interface ConfirmSubscriptionArgs {
  confirmed?: boolean | null;
}

export interface ConsumeArgs {
  ttl?: number | null;
  grace?: number | null;
  batch?: number | null;
}

export interface ConsumedMessageView {
  id: string;
  claim_id: string;
  ttl: number;
  age: number;
  body: Json;
  href: string;
}

export interface DeliveryView {
  delivered: number;
  failed: number;
  pending: number;
  last_error: string | null;
  last_error_at: string | null;
  last_delivered_at: string | null;
}

export interface FlavorPageView {
  flavors: FlavorView[];
  links: LinkView[];
}

export interface FlavorView {
  name: string;
  href: string;
  pool_list?: string[] | null;
  capabilities?: string[] | null;
}

export interface LinkView {
  rel: string;
  href: string;
}

export interface ListMessagesArgs {
  marker?: string | null;
  limit?: number | null;
  echo?: boolean | null;
  include_claimed?: boolean | null;
  include_delayed?: boolean | null;
}

export interface ListPoolsArgs {
  marker?: string | null;
  limit?: number | null;
  detailed?: boolean | null;
}

export interface ListQueuesArgs {
  marker?: string | null;
  limit?: number | null;
  detailed?: boolean | null;
  name?: string | null;
  with_count?: boolean | null;
}

export interface ListSubscriptionsArgs {
  marker?: string | null;
  limit?: number | null;
}

export interface MessageArgs {
  body?: Json;
  ttl?: number | null;
  delay?: number | null;
}

export interface MessageCountsView {
  claimed: number;
  free: number;
  total: number;
  oldest?: MessageStatView | null;
  newest?: MessageStatView | null;
}

export interface MessagePageView {
  messages: MessageView[];
  links: LinkView[];
}

export interface MessageRatesView {
  posted: number;
  claimed: number;
  deleted: number;
  expired: number;
  dead_lettered: number;
}

export interface MessageStatView {
  age: number;
  ttl: number;
  body: Json;
  claim_id: string | null;
  claim_count: number;
  created: string;
  href: string;
}

export interface MessageView {
  id: string;
  href: string;
  ttl: number;
  age: number;
  body: Json;
  checksum?: string | null;
}

export interface MessagesView {
  messages: MessageView[];
}

export interface PoolPageView {
  pools: PoolView[];
  links: LinkView[];
}

export interface PoolView {
  name: string;
  href: string;
  uri: string;
  weight: number;
  flavor: string | null;
  options?: JsonObject | null;
}

export interface PoppedMessageView {
  id: string;
  age: number;
  ttl: number;
  body: Json;
  claim_id?: string | null;
  claim_count?: number | null;
}

export interface PoppedView {
  messages: PoppedMessageView[];
}

export interface PostedView {
  message_ids: string[];
  resources: string[];
}

export interface PresenceClientView {
  client_id: string;
  connections: number;
}

export interface PresenceEventView {
  event: string;
  client_id?: string | null;
}

export interface PresenceView {
  connections: number;
  clients?: PresenceClientView[] | null;
  clients_truncated?: boolean;
}

export interface PushedMessageView {
  id: string;
  body: Json;
  ttl: number;
  age: number;
  delay?: number;
}

export interface QueueCreatedView {
  created: boolean;
}

export interface QueueDepthView {
  name: string;
  free: number;
  claimed: number;
  total: number;
}

export interface QueuePageView {
  queues: QueueView[];
  links: LinkView[];
  count?: number | null;
}

export interface QueueStatsView {
  messages: MessageCountsView;
}

export interface QueueView {
  name: string;
  href: string;
  metadata?: JsonObject | null;
}

export interface StatsArgs {
  queues?: string[] | null;
  interval?: number | null;
}

export interface StatsSampleView {
  at: number;
  interval: number;
  rates: MessageRatesView | null;
  queues: QueueDepthView[];
}

export interface SubscribeArgs {
  since?: string | null;
}

export interface SubscribedView {
  messages_expired: boolean;
}

export interface SubscriptionArgs {
  subscriber?: string | null;
  ttl?: number | null;
  options?: Json;
}

export interface SubscriptionCreatedView {
  subscription_id: string;
}

export interface SubscriptionPageView {
  subscriptions: SubscriptionView[];
  links: LinkView[];
}

export interface SubscriptionView {
  id: string;
  source: string;
  subscriber: string;
  ttl: number;
  age: number;
  options: JsonObject;
  confirmed: boolean;
  delivery: DeliveryView;
}

export interface TopicMessageCountsView {
  total: number;
  oldest?: TopicMessageStatView | null;
  newest?: TopicMessageStatView | null;
}

export interface TopicMessageStatView {
  age: number;
  ttl: number;
  body: Json;
  created: string;
  href: string;
}

export interface TopicPageView {
  topics: QueueView[];
  links: LinkView[];
  count?: number | null;
}

export interface TopicStatsView {
  messages: TopicMessageCountsView;
}
