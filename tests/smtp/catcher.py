"""A real SMTP server for the tests, built on aiosmtpd.

    python3 tests/smtp/catcher.py PORT DIRECTORY

Listens on 127.0.0.1:PORT and stores each accepted message in DIRECTORY as a
JSON file {"mail_from", "rcpt_tos", "data"} (written to a temporary name, then
renamed, so a reader never sees half a file). Recipients at a domain ending in
"reject.test" are refused with 550, a permanent failure.
"""
import asyncio
import json
import os
import sys
import time
import uuid

from aiosmtpd.smtp import SMTP


class Catcher:
    def __init__(self, directory):
        self.directory = directory

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().rstrip(">").endswith("reject.test"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
        }
        name = "%d-%s" % (time.time_ns(), uuid.uuid4().hex)
        temporary = os.path.join(self.directory, name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(temporary, os.path.join(self.directory, name + ".json"))
        return "250 2.0.0 Message accepted for delivery"


async def main(port, directory):
    os.makedirs(directory, exist_ok=True)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Catcher(directory), hostname="catcher.test"),
        host="127.0.0.1",
        port=port,
        reuse_address=True,
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
