"""Drives ZaqarHub with python3-zaqarclient (Debian's package), unchanged: the client Zaqar's users have.

Usage: python3 zaqarclient_roundtrip.py <base-url> <project-id>
Exits non-zero (with a traceback) on any failure; prints a JSON summary on success.
"""
import json
import sys

from zaqarclient.queues import client as zclient


def main(url, project):
    conf = {'auth_opts': {'backend': 'noauth', 'options': {'os_project_id': project}}}
    cli = zclient.Client(url, version=2, conf=conf)

    queue = cli.queue('py-orders')
    queue.ensure_exists(force_create=True)
    names = [q.name for q in cli.queues()[0]]
    assert names == ['py-orders'], names

    queue.post([{'body': {'order': 1, 'items': ['a', 'b']}, 'ttl': 300}, {'body': 'second'}])
    listed = [m.body for m in queue.messages(echo=True)]
    assert listed == [{'order': 1, 'items': ['a', 'b']}, 'second'], listed

    claim = queue.claim(ttl=60, grace=60, limit=10)
    claimed = list(claim)
    assert [m.body for m in claimed] == listed, [m.body for m in claimed]
    assert all(m.claim_id for m in claimed)
    during = queue.stats['messages']
    assert during['claimed'] == 2 and during['total'] == 2, during

    for message in claimed:
        message.delete()
    after = queue.stats['messages']
    assert after['total'] == 0, after

    queue.post([{'body': 'kept'}])
    metadata = queue.metadata()
    assert metadata['_default_message_ttl'] == 3600, metadata
    print(json.dumps({'listed': listed, 'claimed': len(claimed), 'stats_during': during, 'stats_after': after}))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
