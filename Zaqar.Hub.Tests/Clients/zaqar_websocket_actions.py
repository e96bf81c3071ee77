"""Drives Zaqar's websocket transport (/v2/ws) the way its clients talk: a plain WebSocket client (Debian's
python3-websocket) sending the contract's frames {action, headers, body}, as JSON text frames or MessagePack binary
frames (python3-msgpack). Covers every action of zaqar-v2-api.md 10.2, the envelope and action errors, and a
subscription_create that then receives messages posted over the websocket, over REST and on another node.

Usage: python3 zaqar_websocket_actions.py <json|msgpack> <ws-url> <rest-url> <other-node-rest-url> <project-id>
Prints one JSON line per case: {"case": name, "ok": true|false, "detail": "..."}; exits 0 once every case ran.
"""
import json
import sys
import time
import traceback
import urllib.request
import uuid

import msgpack
import websocket

RESULTS = []


def case(name):
    def run(fn):
        try:
            fn()
            RESULTS.append({"case": name, "ok": True, "detail": ""})
        except Exception as ex:  # a failed case is reported, the next one runs
            RESULTS.append({"case": name, "ok": False, "detail": "%s: %s\n%s" % (type(ex).__name__, ex, traceback.format_exc(limit=3))})
        return fn
    return run


def expect(condition, detail):
    if not condition:
        raise AssertionError(detail)


class Zaqar:
    """One websocket connection speaking JSON or MessagePack frames."""

    def __init__(self, url, binary, project, client_id=None):
        self.ws = websocket.create_connection(url, timeout=10)
        self.binary = binary
        self.headers = {"Client-ID": client_id or str(uuid.uuid4()), "X-Project-ID": project}

    def send_raw(self, payload):
        if self.binary:
            self.ws.send(msgpack.packb(payload, use_bin_type=True), opcode=websocket.ABNF.OPCODE_BINARY)
        else:
            self.ws.send(json.dumps(payload))

    def receive(self):
        opcode, data = self.ws.recv_data()
        expected = websocket.ABNF.OPCODE_BINARY if self.binary else websocket.ABNF.OPCODE_TEXT
        expect(opcode == expected, "frame type %s, expected %s" % (opcode, expected))
        return msgpack.unpackb(data, raw=False) if self.binary else json.loads(data)

    def call(self, action, body=None, headers=None, **extra):
        frame = {"action": action, "headers": headers if headers is not None else self.headers}
        if body is not None:
            frame["body"] = body
        frame.update(extra)
        self.send_raw(frame)
        return self.receive()

    def close(self):
        self.ws.close()


def status(reply):
    return reply["headers"]["status"]


def rest_post(base, project, queue, bodies):
    data = json.dumps({"messages": [{"body": b, "ttl": 300} for b in bodies]}).encode()
    request = urllib.request.Request(base + "/v2/queues/%s/messages" % queue, data=data, method="POST", headers={
        "Client-ID": str(uuid.uuid4()), "X-Project-ID": project, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        expect(response.status == 201, "REST post: %s" % response.status)
        return [r.rsplit("/", 1)[1] for r in json.loads(response.read())["resources"]]


def main(mode, ws_url, rest_url, other_rest_url, project):
    binary = mode == "msgpack"
    z = Zaqar(ws_url, binary, project)

    @case("queue_create answers 201 for a new queue and 204 for an existing one")
    def _():
        first = z.call("queue_create", {"queue_name": "orders", "metadata": {"owner": "ops", "_default_message_ttl": 300}})
        expect(status(first) == 201 and first["body"] == "Queue orders created.", first)
        expect(first["request"] == {"action": "queue_create", "body": {"queue_name": "orders", "metadata": {"owner": "ops", "_default_message_ttl": 300}},
                                    "headers": z.headers, "api": "v2"}, first["request"])
        again = z.call("queue_create", {"queue_name": "orders"})
        expect(status(again) == 204, again)

    @case("queue_list lists names, and metadata when detailed")
    def _():
        reply = z.call("queue_list", {"detailed": True, "limit": 5})
        expect(status(reply) == 200, reply)
        queues = reply["body"]["queues"]
        expect([q["name"] for q in queues] == ["orders"], queues)
        expect(queues[0]["metadata"]["owner"] == "ops" and "href" not in queues[0], queues)
        plain = z.call("queue_list")
        expect(plain["body"]["queues"] == [{"name": "orders"}], plain)

    @case("queue_get answers the metadata")
    def _():
        reply = z.call("queue_get", {"queue_name": "orders"})
        expect(status(reply) == 200 and reply["body"]["owner"] == "ops" and reply["body"]["_default_message_ttl"] == 300, reply)

    ids = []

    @case("message_post answers the new ids in order")
    def _():
        reply = z.call("message_post", {"queue_name": "orders", "messages": [
            {"body": {"order": 1, "items": ["a", "b"]}, "ttl": 120}, {"body": "second"}, {"body": [1, 2.5, None, True]}]})
        expect(status(reply) == 201 and len(reply["body"]["message_ids"]) == 3, reply)
        ids.extend(reply["body"]["message_ids"])

    @case("message_list lists with echo, without links or hrefs")
    def _():
        reply = z.call("message_list", {"queue_name": "orders", "echo": True, "limit": 10})
        expect(status(reply) == 200, reply)
        messages = reply["body"]["messages"]
        expect([m["id"] for m in messages] == ids, messages)
        expect(messages[0]["body"] == {"order": 1, "items": ["a", "b"]} and messages[0]["ttl"] == 120, messages[0])
        expect(messages[1]["ttl"] == 300, "the queue's default ttl: %s" % messages[1])
        expect(messages[2]["body"] == [1, 2.5, None, True], messages[2])
        expect(set(messages[0]) >= {"id", "claim_id", "ttl", "age", "body"} and "href" not in messages[0], messages[0])
        hidden = z.call("message_list", {"queue_name": "orders"})
        expect(hidden["body"]["messages"] == [], "own messages are hidden without echo: %s" % hidden)

    @case("message_get answers one message under messages")
    def _():
        reply = z.call("message_get", {"queue_name": "orders", "message_id": ids[1]})
        expect(status(reply) == 200 and reply["body"]["messages"]["body"] == "second", reply)
        missing = z.call("message_get", {"queue_name": "orders", "message_id": str(uuid.uuid4())})
        expect(status(missing) == 404 and set(missing["body"]) == {"exception", "error"}, missing)

    @case("message_get_many answers the messages found, an empty list for none")
    def _():
        reply = z.call("message_get_many", {"queue_name": "orders", "message_ids": [ids[0], ids[2]]})
        expect(status(reply) == 200 and [m["id"] for m in reply["body"]["messages"]] == [ids[0], ids[2]], reply)
        none = z.call("message_get_many", {"queue_name": "orders", "message_ids": [str(uuid.uuid4())]})
        expect(status(none) == 200 and none["body"]["messages"] == [], none)

    claim = {}

    @case("claim_create claims with the claim id in the body")
    def _():
        reply = z.call("claim_create", {"queue_name": "orders", "limit": 2, "ttl": 60, "grace": 60})
        expect(status(reply) == 201, reply)
        claim["id"] = reply["body"]["claim_id"]
        messages = reply["body"]["messages"]
        expect([m["id"] for m in messages] == ids[:2] and all(m["claim_id"] == claim["id"] for m in messages), reply)

    @case("message_list with include_claimed and no marker works (Zaqar answers 500) and names the claim")
    def _():
        reply = z.call("message_list", {"queue_name": "orders", "echo": True, "include_claimed": True})
        expect(status(reply) == 200, reply)
        claims = {m["id"]: m["claim_id"] for m in reply["body"]["messages"]}
        expect(claims == {ids[0]: claim["id"], ids[1]: claim["id"], ids[2]: None}, claims)

    @case("claim_get answers age, ttl and messages")
    def _():
        reply = z.call("claim_get", {"queue_name": "orders", "claim_id": claim["id"]})
        expect(status(reply) == 200 and reply["body"]["ttl"] == 60 and len(reply["body"]["messages"]) == 2, reply)
        expect("href" not in reply["body"], reply)

    @case("claim_update renews the claim")
    def _():
        reply = z.call("claim_update", {"queue_name": "orders", "claim_id": claim["id"], "ttl": 120})
        expect(status(reply) == 204 and reply["body"] == "Claim %s updated." % claim["id"], reply)
        expect(z.call("claim_get", {"queue_name": "orders", "claim_id": claim["id"]})["body"]["ttl"] == 120, "ttl not renewed")

    @case("message_delete needs the claim of a claimed message (403), then deletes it")
    def _():
        refused = z.call("message_delete", {"queue_name": "orders", "message_id": ids[0]})
        expect(status(refused) == 403 and "claimed" in refused["body"]["exception"], refused)
        reply = z.call("message_delete", {"queue_name": "orders", "message_id": ids[0], "claim_id": claim["id"]})
        expect(status(reply) == 204 and reply["body"] == {}, reply)

    @case("claim_delete releases the claim")
    def _():
        reply = z.call("claim_delete", {"queue_name": "orders", "claim_id": claim["id"]})
        expect(status(reply) == 204 and reply["body"] == "Claim %s deleted." % claim["id"], reply)
        expect(status(z.call("claim_get", {"queue_name": "orders", "claim_id": claim["id"]})) == 404, "the claim is gone")
        nothing = z.call("claim_create", {"queue_name": "empty-queue"})
        expect(status(nothing) == 204 and nothing["body"] == {"claim_id": None}, nothing)

    @case("queue_get_stats counts the messages, oldest and newest with their id")
    def _():
        reply = z.call("queue_get_stats", {"queue_name": "orders"})
        counts = reply["body"]["messages"]
        expect(status(reply) == 200 and counts["total"] == 2 and counts["free"] == 2 and counts["claimed"] == 0, reply)
        expect(counts["oldest"]["id"] == ids[1] and counts["newest"]["id"] == ids[2] and "href" not in counts["oldest"], counts)

    @case("message_delete_many deletes by ids and pops")
    def _():
        more = z.call("message_post", {"queue_name": "orders", "messages": [{"body": n} for n in range(3)]})["body"]["message_ids"]
        reply = z.call("message_delete_many", {"queue_name": "orders", "message_ids": [ids[1], ids[2]]})
        expect(status(reply) == 204 and reply["body"] == {}, reply)
        popped = z.call("message_delete_many", {"queue_name": "orders", "pop": 2})
        expect(status(popped) == 200 and [m["id"] for m in popped["body"]["messages"]] == more[:2], popped)
        neither = z.call("message_delete_many", {"queue_name": "orders"})
        expect(status(neither) == 400 and set(neither["body"]) == {"exception", "error"}, neither)

    @case("message_post keeps a message's delay on a delayed queue")
    def _():
        z.call("queue_create", {"queue_name": "later", "metadata": {"_default_message_delay": 30}})
        posted = z.call("message_post", {"queue_name": "later", "messages": [{"body": "now", "delay": 0}, {"body": "later", "delay": 30}]})
        expect(status(posted) == 201, posted)
        visible = z.call("message_list", {"queue_name": "later", "echo": True})["body"]["messages"]
        expect([m["body"] for m in visible] == ["now"], visible)

    sub = {}

    @case("subscription_create with a webhook subscriber, then duplicate of a connection subscription answers 409")
    def _():
        reply = z.call("subscription_create", {"queue_name": "orders", "subscriber": "http://127.0.0.1:9/hook", "ttl": 3600, "options": {"k": "v"}})
        expect(status(reply) == 201 and reply["body"]["message"] == "Subscription orders created.", reply)
        sub["webhook"] = reply["body"]["subscription_id"]
        own = z.call("subscription_create", {"queue_name": "orders", "ttl": 600})
        expect(status(own) == 201, own)
        sub["own"] = own["body"]["subscription_id"]
        twice = z.call("subscription_create", {"queue_name": "orders"})
        expect(status(twice) == 409 and twice["body"] == "Subscription orders not created.", twice)

    @case("subscription_list and subscription_get show both subscriptions")
    def _():
        reply = z.call("subscription_list", {"queue_name": "orders"})
        listed = {s["id"]: s for s in reply["body"]["subscriptions"]}
        expect(status(reply) == 200 and set(listed) == {sub["webhook"], sub["own"]}, reply)
        expect(listed[sub["webhook"]]["options"] == {"k": "v"} and listed[sub["own"]]["ttl"] == 600, listed)
        one = z.call("subscription_get", {"queue_name": "orders", "subscription_id": sub["webhook"]})
        expect(status(one) == 200 and one["body"]["subscriber"] == "http://127.0.0.1:9/hook", one)
        missing = z.call("subscription_get", {"queue_name": "orders", "subscription_id": str(uuid.uuid4())})
        expect(status(missing) == 404, missing)

    pushed = []

    def next_push(what):
        deadline = time.time() + 10
        while time.time() < deadline:
            frame = z.receive()
            if "request" not in frame:
                return frame
            pushed.append(("stray answer", frame))
        raise AssertionError("no push for " + what)

    @case("a connection subscription receives posts over the websocket, in the webhook format with the id")
    def _():
        reply = z.call("message_post", {"queue_name": "orders", "messages": [{"body": {"via": "ws"}, "ttl": 200}]})
        expect(status(reply) == 201, "the answer comes before the push of the same post: %s" % reply)
        push = next_push("a websocket post")
        expect(push == {"id": reply["body"]["message_ids"][0], "body": {"via": "ws"}, "ttl": 200, "queue_name": "orders",
                        "Message_Type": "Notification"}, push)

    @case("a connection subscription receives posts made over REST")
    def _():
        posted = rest_post(rest_url, project, "orders", [{"via": "rest"}])
        push = next_push("a REST post")
        expect(push["id"] == posted[0] and push["body"] == {"via": "rest"} and push["queue_name"] == "orders", push)

    @case("a connection subscription receives posts made on another node")
    def _():
        posted = rest_post(other_rest_url, project, "orders", [{"via": "other node", "n": 1}, {"via": "other node", "n": 2}])
        got = [next_push("a post on another node"), next_push("the second post on another node")]
        expect([p["id"] for p in got] == posted and got[1]["body"] == {"via": "other node", "n": 2}, got)

    @case("subscription_delete ends the subscription and its pushes")
    def _():
        reply = z.call("subscription_delete", {"queue_name": "orders", "subscription_id": sub["own"]})
        expect(status(reply) == 204 and reply["body"] == "Subscription %s removed." % sub["own"], reply)
        z.call("message_post", {"queue_name": "orders", "messages": [{"body": "after"}]})
        z.ws.settimeout(0.5)
        try:
            frame = z.receive()
            raise AssertionError("pushed after the subscription ended: %s" % frame)
        except websocket.WebSocketTimeoutException:
            pass
        finally:
            z.ws.settimeout(10)

    @case("closing the connection deletes its subscriptions")
    def _():
        other = Zaqar(ws_url, binary, project)
        made = other.call("subscription_create", {"queue_name": "orders"})
        expect(status(made) == 201, made)
        other.close()
        deadline = time.time() + 10
        while time.time() < deadline:
            ids_now = [s["id"] for s in z.call("subscription_list", {"queue_name": "orders"})["body"]["subscriptions"]]
            if made["body"]["subscription_id"] not in ids_now:
                return
            time.sleep(0.1)
        raise AssertionError("the closed connection's subscription is still listed")

    @case("queue_purge purges messages and subscriptions")
    def _():
        reply = z.call("queue_purge", {"queue_name": "orders", "resource_types": ["messages"]})
        expect(status(reply) == 204 and reply["body"] == {}, reply)
        expect(z.call("queue_get_stats", {"queue_name": "orders"})["body"]["messages"]["total"] == 0, "messages left")
        expect(len(z.call("subscription_list", {"queue_name": "orders"})["body"]["subscriptions"]) == 1, "subscriptions purged too early")
        z.call("queue_purge", {"queue_name": "orders"})
        expect(z.call("subscription_list", {"queue_name": "orders"})["body"]["subscriptions"] == [], "subscriptions left")
        bad = z.call("queue_purge", {"queue_name": "orders", "resource_types": ["claims"]})
        expect(status(bad) == 400, bad)

    @case("queue_delete removes the queue")
    def _():
        reply = z.call("queue_delete", {"queue_name": "orders"})
        expect(status(reply) == 204 and reply["body"] == "Queue orders removed.", reply)
        names = [q["name"] for q in z.call("queue_list")["body"]["queues"]]
        expect("orders" not in names, names)

    @case("authenticate answers without tokens in the no-auth mode, every frame naming its project")
    def _():
        reply = z.call("authenticate", headers={"X-Project-ID": project, "X-Auth-Token": "unused"})
        expect(status(reply) == 200 and reply["body"] == {"message": "Authentified."}, reply)

    @case("ping_node, get_home_doc and check_node_health answer (Zaqar never does)")
    def _():
        expect(status(z.call("ping_node")) == 204, "ping")
        home = z.call("get_home_doc")
        expect(status(home) == 200 and "rel/queues" in home["body"]["resources"], home)
        refused = z.call("check_node_health")
        expect(status(refused) == 403, refused)
        health = z.call("check_node_health", headers=dict(z.headers, **{"X-Roles": "admin"}))
        expect(status(health) == 200 and health["body"]["storage_reachable"] is True, health)

    @case("pool and flavor actions answer with a clear error where pools are off")
    def _():
        for action, body in [("pool_list", None), ("pool_get", {"pool_name": "p"}), ("flavor_list", None), ("flavor_delete", {"flavor_name": "f"})]:
            reply = z.call(action, body, headers=dict(z.headers, **{"X-Roles": "admin"}))
            expect(status(reply) == 404 and "Pools:Enabled" in reply["body"]["exception"], reply)

    @case("envelope errors: undecodable frame, not an object, unknown action, schema failures")
    def _():
        z.ws.send(b"\xc1\x00", opcode=websocket.ABNF.OPCODE_BINARY) if binary else z.ws.send("{not json")
        broken = z.receive()
        kind = "binary (MessagePack)" if binary else "text (JSON)"
        expect(status(broken) == 400 and broken["body"]["error"].startswith("Can't decode %s request. " % kind), broken)
        expect(broken["request"] == {"action": None, "body": {}, "headers": {}, "api": "v2"}, broken)
        z.send_raw([1, 2, 3])
        listed = z.receive()
        expect(status(listed) == 400 and listed["body"] == {"error": "Unexpected body type. Expected dict or dict like."}, listed)
        unknown = z.call("queue_explode", {"queue_name": "q"})
        expect(status(unknown) == 400 and unknown["body"] == {"error": "queue_explode is not a valid action"}, unknown)
        expect(unknown["request"]["action"] == "queue_explode", unknown)
        z.send_raw({"headers": z.headers})
        expect(z.receive()["body"] == {"error": "None is not a valid action"}, "missing action")
        for frame in [
            {"action": "queue_get", "body": {"queue_name": "q"}},
            {"action": "queue_get", "headers": {"X-Project-ID": project}, "body": {"queue_name": "q"}},
            {"action": "queue_get", "headers": z.headers},
            {"action": "queue_get", "headers": z.headers, "body": {"queue_name": 7}},
            {"action": "message_list", "headers": z.headers, "body": {"queue_name": "q", "limit": "5"}},
            {"action": "queue_get", "headers": z.headers, "body": ["q"]},
        ]:
            z.send_raw(frame)
            reply = z.receive()
            expect(status(reply) == 400 and reply["body"] == {"error": "Schema validation failed."}, (frame, reply))

    @case("action errors carry exception and error with Zaqar's status")
    def _():
        bad_name = z.call("queue_create", {"queue_name": "no spaces"})
        expect(status(bad_name) == 400 and bad_name["body"]["error"] == "Invalid queue identification", bad_name)
        bad_ttl = z.call("message_post", {"queue_name": "q", "messages": [{"body": 1, "ttl": 5}]})
        expect(status(bad_ttl) == 400 and "TTL" in bad_ttl["body"]["exception"], bad_ttl)
        bad_client = z.call("queue_list", headers={"Client-ID": "not-a-uuid", "X-Project-ID": project})
        expect(status(bad_client) == 400 and bad_client["body"] == {"exception": "Malformed hexadecimal UUID.", "error": "Wrong UUID value"}, bad_client)
        no_body = z.call("message_post", {"queue_name": "q", "messages": [{"ttl": 60}]})
        expect(status(no_body) == 400 and no_body["body"]["exception"] == 'Missing "body" field.', no_body)
        after = z.call("queue_list")
        expect(status(after) == 200, "the connection still answers: %s" % after)

    z.close()
    for result in RESULTS:
        print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:6])
