using System.Net;
using System.Text.Json;
using CsCheck;
using Zaqar.Hub.Api;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using Zaqar.Hub.Tests.Subscriptions;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>
/// Issue 10's property: a random JSON value is either refused with 400 and nothing written, or accepted and read back
/// identically (<see cref="ReadBack"/>) by every reader: REST list, get, bulk get, stats, claim and pop; the hub's
/// ListMessages and GetMessage over JSON and MessagePack; push to a subscriber of each protocol; Consume; a webhook. As
/// queue metadata it is refused or read back by REST and both hub protocols; posted over the hub (JSON or MessagePack)
/// it gets REST's verdict. The verdict must be the generator's.
/// </summary>
/// <remarks>
/// A fixed seed and a few hundred cases keep it to seconds. On a failure CsCheck prints the input and the seed that
/// replays it ("Set seed: ..."): put that in <see cref="Seed"/> to debug.
/// </remarks>
[Collection(DeliveryCollection.Name)]
public sealed class AcceptableJsonPropertyTests(DeliveryHost host) : IClassFixture<DeliveryHost>
{
    private const string Seed = "909YxvE8Az3iVF0-";
    private const int Cases = 200;

    [Fact]
    public async Task Issue10EveryRandomJsonValueIsRefusedWithNothingWrittenOrReadBackIdenticallyByEveryReader()
    {
        await using var receiver = await WebhookReceiver.StartAsync(host.Clock);
        using var client = host.NewProject();
        await using var json = await HubReader.ConnectAsync(host.Factory, HubWireProtocol.Json, client);
        await using var messagePack = await HubReader.ConnectAsync(host.Factory, HubWireProtocol.MessagePack, client);
        var run = new Run(client, json, messagePack, receiver);

        await JsonCases.Values.SampleAsync(run.CheckAsync, seed: Seed, iter: Cases, threads: 1);

        await run.CheckWebhooksAsync();
        await run.CheckNothingElseWasWrittenAsync();
        Assert.True(run.Accepted > Cases / 5 && run.Refused > Cases / 5, $"a lopsided sample: {run.Accepted} accepted, {run.Refused} refused");
    }

    private sealed class Run(ZaqarClient client, HubReader json, HubReader messagePack, WebhookReceiver receiver)
    {
        private readonly Dictionary<string, string> _hooked = [];
        private int _cases;
        private int _queues;

        public int Accepted { get; private set; }

        public int Refused { get; private set; }

        public async Task CheckAsync(JsonCase value)
        {
            var n = ++_cases;
            await CheckBodyAsync(value, $"b{n}", n % 2 == 0 ? json : messagePack);
            await CheckMetadataAsync(value, $"m{n}");
            await CheckHubPostAsync(value, $"h{n}", n % 2 == 0 ? messagePack : json);
        }

        private async Task CheckBodyAsync(JsonCase value, string queue, HubReader consumer)
        {
            var accepted = value.AcceptableAt(AcceptableJson.MaxDepth);
            if (accepted)
            {
                await client.SubscribeAsync(queue, new { subscriber = receiver.Url($"/{queue}") });
                await json.SubscribeAsync(queue);
                await messagePack.SubscribeAsync(queue);
            }
            var message = "{\"body\":" + value.Text + "}";
            var posted = await client.PostAsync($"/v2/queues/{queue}/messages", "{\"messages\":[" + string.Join(",", message, message, message) + "]}");
            if (!accepted)
            {
                Refused++;
                posted.AssertError(HttpStatusCode.BadRequest, "Invalid request body");
                Assert.Equal(0, await client.TotalAsync(queue));
                return;
            }
            Accepted++;
            _queues++;
            _hooked[queue] = value.Text;
            Assert.True(posted.Status == HttpStatusCode.Created, $"post: {(int)posted.Status} {posted.Text}");
            var ids = posted.Json!["resources"]!.AsArray().Select(r => r!.GetValue<string>().Split('/')[^1]).ToList();
            void Same(string read, string reader) => ReadBack.AssertSame(value.Text, read, reader);
            void AllSame(IEnumerable<string> read, string reader, int count = 3)
            {
                var bodies = read.ToList();
                Assert.True(bodies.Count == count, $"{reader} read {bodies.Count} messages");
                bodies.ForEach(b => Same(b, reader));
            }

            AllSame(await json.NextPushAsync(queue), "push (JSON)");
            AllSame(await messagePack.NextPushAsync(queue), "push (MessagePack)");
            AllSame(Bodies(await client.GetAsync($"/v2/queues/{queue}/messages?echo=true")), "REST list");
            Same(Body((await client.GetAsync($"/v2/queues/{queue}/messages/{ids[0]}")).Text), "REST get");
            AllSame(Bodies(await client.GetAsync($"/v2/queues/{queue}/messages?ids={string.Join(",", ids)}")), "REST bulk get");
            var stats = JsonDocument.Parse((await client.GetAsync($"/v2/queues/{queue}/stats")).Text).RootElement.GetProperty("messages");
            Same(stats.GetProperty("oldest").GetProperty("body").GetRawText(), "REST stats");
            foreach (var hub in new[] { json, messagePack })
            {
                AllSame(await hub.ListBodiesAsync(queue), $"hub ListMessages ({hub.Protocol})");
                Same(await hub.GetBodyAsync(queue, ids[1]), $"hub GetMessage ({hub.Protocol})");
            }
            var claim = await client.PostAsync($"/v2/queues/{queue}/claims?limit=3", new { ttl = 60 });
            AllSame(Bodies(claim), "REST claim");
            await client.DeleteAsync(claim.Location!);
            AllSame(Bodies(await client.DeleteAsync($"/v2/queues/{queue}/messages?pop=2")), "REST pop", count: 2);
            Same(Assert.Single(await consumer.ConsumeBodiesAsync(queue, 1)), $"hub Consume ({consumer.Protocol})");
        }

        private async Task CheckMetadataAsync(JsonCase value, string queue)
        {
            // The metadata object is one level of its own.
            var accepted = value.AcceptableAt(AcceptableJson.MaxDepth - 1);
            var created = await client.PutAsync($"/v2/queues/{queue}", "{\"v\":" + value.Text + "}");
            if (!accepted)
            {
                created.AssertError(HttpStatusCode.BadRequest, "Invalid request body");
                return;
            }
            _queues++;
            Assert.True(created.Status == HttpStatusCode.Created, $"create: {(int)created.Status} {created.Text}");
            var rest = JsonDocument.Parse((await client.GetAsync($"/v2/queues/{queue}")).Text).RootElement.GetProperty("v").GetRawText();
            ReadBack.AssertSame(value.Text, rest, "REST metadata", keysInAnyOrder: true);
            foreach (var hub in new[] { json, messagePack })
            {
                ReadBack.AssertSame(value.Text, (await hub.GetQueueAsync(queue))!["v"]?.ToJsonString() ?? "null", $"hub GetQueue ({hub.Protocol})", keysInAnyOrder: true);
            }
        }

        /// <summary>
        /// The same value posted over the hub gets the same verdict, and REST reads back what the hub accepted. A client
        /// cannot send an unpaired surrogate (JSON) nor, over MessagePack, 1e400 or an integer beyond 64 bits (it would
        /// send a float): those go over JSON, or not at all.
        /// </summary>
        private async Task CheckHubPostAsync(JsonCase value, string queue, HubReader hub)
        {
            if (value.Faults.HasFlag(JsonFault.UnpairedSurrogate))
            {
                return;
            }
            if (value.Faults.HasFlag(JsonFault.NumberTooLarge) || value.Faults.HasFlag(JsonFault.IntegerTooLarge))
            {
                hub = json;
            }
            if (!value.AcceptableAt(AcceptableJson.MaxDepth))
            {
                var refused = await hub.ErrorAsync("PostMessages", queue, new[] { new Zaqar.Hub.Hubs.MessageArgs(HubReader.Element(value.Text)) });
                Assert.Equal((400, "Invalid request body"), (refused.Status, refused.Title));
                Assert.Equal(0, await client.TotalAsync(queue));
                return;
            }
            _queues++;
            var id = Assert.Single(await hub.PostAsync(queue, value.Text));
            ReadBack.AssertSame(value.Text, Body((await client.GetAsync($"/v2/queues/{queue}/messages/{id}")).Text), $"REST get of a hub post ({hub.Protocol})");
        }

        /// <summary>
        /// Each accepted body was posted three times to a queue with a webhook subscription: three messages delivered each
        /// (at least once: a delivery the dispatcher timed out on may come again, and must be as right as the first).
        /// </summary>
        public async Task CheckWebhooksAsync()
        {
            static int Delivered(IEnumerable<WebhookReceiver.Request> requests) =>
                requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("id").GetString()).Distinct().Count();
            await DeliveryWaits.UntilAsync(() => Delivered(receiver.Requests) >= 3 * _hooked.Count, null, 60, "every webhook delivery");
            Assert.Equal(3 * _hooked.Count, Delivered(receiver.Requests));
            foreach (var request in receiver.Requests)
            {
                ReadBack.AssertSame(_hooked[request.Path.TrimStart('/')], Body(request.Body), "webhook");
            }
        }

        /// <summary>A refused value left no queue behind: the project has only the accepted values' queues.</summary>
        public async Task CheckNothingElseWasWrittenAsync()
        {
            var listed = await client.GetAsync("/v2/queues?with_count=true");
            Assert.Equal(_queues, listed.Json!["count"]?.GetValue<int>() ?? 0);
        }

        private static string Body(string document) => JsonDocument.Parse(document).RootElement.GetProperty("body").GetRawText();

        private static IEnumerable<string> Bodies(ZaqarClient.Response response)
        {
            Assert.True(response.Status is HttpStatusCode.OK or HttpStatusCode.Created, $"{(int)response.Status} {response.Text}");
            return JsonDocument.Parse(response.Text).RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetRawText()).ToList();
        }
    }
}
