"""Drives every tool and the type resources of a running platform-mcp server with the official
Python MCP SDK (`mcp` 2.3), as a real client would, and asserts what comes back.

    python tools_client.py --url http://127.0.0.1:PORT/mcp --token TOKEN --mode auto|legacy \
        [--read-tools a,b,… --write-tools c,d,…]

`--mode auto` must negotiate 2026-07-28 (`server/discover`, stateless); `--mode legacy` uses the
2025-11-25 `initialize` handshake. The world the caller seeds first: the token's person is an
editor (or admin/owner) of exactly one project, named "E2E", which has one type `tasks` (no
schema, default access) and no entries.

Prints one JSON line per step on stdout ({"step", "ok", ...}); on the first failed assertion it
prints that step with "ok": false and the reason, repeats the reason on stderr and exits 1.
Exit 0 means every step passed. Strict on the shapes the tools promise, tolerant elsewhere.

Which tools read and which write is not written here: the Rust harness passes the server's one
list (`domain::usecases::UseCase`) as `--read-tools`/`--write-tools`, and `tools/list` must name
exactly those with matching annotations. Without them (the soak run) the client takes the split
from the server's own `readOnlyHint`s.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import uuid
from datetime import datetime
from typing import Any

import anyio
import httpx2
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client

EXPECTED_VERSION = {"auto": "2026-07-28", "legacy": "2025-11-25"}
# The `_meta` key marking a result that carries entry content (user data, never instructions).
UNTRUSTED = "io.platform-mcp/untrusted"
SYSTEM_FIELDS = ("id", "tenantId", "createdAt", "updatedAt", "deletedAt", "revision", "access")
# What a query_data page carries of them by default, and what it adds only through `include`.
LIST_FIELDS = ("id", "revision", "updatedAt")
ON_REQUEST = ("createdAt", "access", "tenantId", "deletedAt")
JSONRPC_RESOURCE_NOT_FOUND = (-32602, -32002)  # SEP-2164 code, and the one before it


class StepFailed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def emit(step: str, **fields: Any) -> None:
    print(json.dumps({"step": step, "ok": True, **fields}, default=str), flush=True)


def short(value: Any, limit: int = 600) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_timestamp(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


class Run:
    """One pass over the server; each method is a step and raises StepFailed on a mismatch."""

    def __init__(self, client: Client, mode: str, tools: tuple[set[str], set[str]] | None) -> None:
        self.client = client
        self.mode = mode
        self.tools = tools  # (read, write) as the harness passed them, or None
        self.project_id = ""
        self.collection = "tasks"
        self.last_text = ""
        self.last_meta: dict[str, Any] = {}

    # --- helpers ---------------------------------------------------------------------------

    async def call(self, tool: str, arguments: dict[str, Any], *, error: bool = False) -> dict[str, Any]:
        """Calls a tool; returns its structuredContent after checking the text copy and isError."""
        try:
            result = await self.client.call_tool(tool, arguments)
        except MCPError as e:
            raise StepFailed(
                f"{tool} answered a JSON-RPC error {e.code} ({e.message!r}, data {short(e.data)}) "
                f"where a tool result{' with isError' if error else ''} was expected"
            ) from e
        except RuntimeError as e:  # the SDK's outputSchema validation of a successful result
            raise StepFailed(f"{tool}: the SDK rejected the result: {e}") from e
        raw = result.model_dump(mode="json", by_alias=True)
        is_error = bool(raw.get("isError"))
        check(
            is_error == error,
            f"{tool}: isError is {is_error}, expected {error}; result {short(raw)}",
        )
        structured = raw.get("structuredContent")
        check(isinstance(structured, dict), f"{tool}: no structuredContent object in {short(raw)}")
        content = raw.get("content") or []
        check(len(content) >= 1, f"{tool}: the result has no content (the text copy for older clients)")
        first = content[0]
        check(first.get("type") == "text", f"{tool}: content[0] is {first.get('type')!r}, not text")
        try:
            text_json = json.loads(first.get("text") or "")
        except ValueError as e:
            raise StepFailed(f"{tool}: content[0].text is not JSON ({e}): {short(first.get('text'))}") from e
        check(
            text_json == structured,
            f"{tool}: content[0].text {short(text_json)} differs from structuredContent {short(structured)}",
        )
        self.last_text = first["text"]
        self.last_meta = raw.get("_meta") or {}
        return structured

    async def tool_error(self, tool: str, arguments: dict[str, Any], code: str) -> dict[str, Any]:
        structured = await self.call(tool, arguments, error=True)
        err = structured.get("error")
        check(isinstance(err, dict), f"{tool}: error result without an `error` object: {short(structured)}")
        check(err.get("code") == code, f"{tool}: error.code is {err.get('code')!r}, expected {code!r}: {short(err)}")
        check(
            isinstance(err.get("message"), str) and err["message"].strip() != "",
            f"{tool}: error.message is missing or empty: {short(err)}",
        )
        return err

    def check_entry(self, tool: str, entry: Any, *, revision: int, deleted: bool = False) -> dict[str, Any]:
        check(isinstance(entry, dict), f"{tool}: entry is not an object: {short(entry)}")
        missing = [f for f in SYSTEM_FIELDS if f not in entry]
        check(not missing, f"{tool}: entry lacks system fields {missing}: {short(entry)}")
        check(isinstance(entry["id"], str) and entry["id"] != "", f"{tool}: entry.id is not a string: {short(entry)}")
        check(
            entry["tenantId"] == self.project_id,
            f"{tool}: entry.tenantId {entry['tenantId']!r} is not the project id {self.project_id!r}",
        )
        for field in ("createdAt", "updatedAt"):
            check(is_timestamp(entry[field]), f"{tool}: entry.{field} is not an ISO 8601 timestamp: {entry[field]!r}")
        if deleted:
            check(is_timestamp(entry["deletedAt"]), f"{tool}: deletedAt should be set, is {entry['deletedAt']!r}")
        else:
            check(entry["deletedAt"] is None, f"{tool}: deletedAt should be null, is {entry['deletedAt']!r}")
        check(
            is_int(entry["revision"]) and entry["revision"] == revision,
            f"{tool}: revision is {entry['revision']!r}, expected {revision}",
        )
        access = entry["access"]
        check(isinstance(access, dict), f"{tool}: access is not an object: {short(access)}")
        for op in ("read", "update", "delete"):
            check(
                isinstance(access.get(op), list) and all(isinstance(s, str) for s in access[op]),
                f"{tool}: access.{op} is not a list of subjects: {short(access)}",
            )
        return entry

    def check_listed(self, entry: Any, *, revision: int) -> dict[str, Any]:
        """A query_data entry: id, revision and updatedAt, none of the fields only asked for."""
        check(isinstance(entry, dict), f"query_data: entry is not an object: {short(entry)}")
        missing = [f for f in LIST_FIELDS if f not in entry]
        check(not missing, f"query_data: entry lacks {missing}: {short(entry)}")
        extra = [f for f in ON_REQUEST if f in entry]
        check(not extra, f"query_data: entry carries {extra} without include: {short(entry)}")
        check(isinstance(entry["id"], str) and entry["id"] != "", f"query_data: entry.id is not a string: {short(entry)}")
        check(is_timestamp(entry["updatedAt"]), f"query_data: updatedAt is not a timestamp: {short(entry)}")
        check(entry["revision"] == revision, f"query_data: revision is {entry['revision']!r}, expected {revision}")
        return entry

    def only_entry(self, tool: str, structured: dict[str, Any], **kw: Any) -> dict[str, Any]:
        check(set(structured) == {"entry"}, f'{tool}: expected {{"entry": ...}}, got keys {sorted(structured)}')
        return self.check_entry(tool, structured["entry"], **kw)

    # --- steps ------------------------------------------------------------------------------

    async def protocol(self) -> None:
        version = self.client.protocol_version
        expected = EXPECTED_VERSION[self.mode]
        check(version == expected, f"mode={self.mode} negotiated protocol {version!r}, expected {expected!r}")
        info = self.client.server_info
        emit("protocol", mode=self.mode, protocolVersion=version, serverInfo=info.name if info else None)

    async def tools_list(self) -> None:
        tools: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(20):
            page = await self.client.list_tools(cursor=cursor)
            tools += [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in page.tools]
            cursor = page.next_cursor
            if cursor is None:
                break
        names = sorted(t["name"] for t in tools)
        if self.tools is None:
            read_tools = {t["name"] for t in tools if (t.get("annotations") or {}).get("readOnlyHint") is True}
        else:
            read_tools, write_tools = self.tools
            expected = sorted(read_tools | write_tools)
            check(names == expected, f"tools/list names {names}, expected exactly {expected}")
        for t in tools:
            name = t["name"]
            check(
                isinstance(t.get("description"), str) and t["description"].strip() != "",
                f"tool {name} has no description",
            )
            for key in ("inputSchema", "outputSchema"):
                schema = t.get(key)
                check(
                    isinstance(schema, dict) and schema.get("type") == "object",
                    f"tool {name}: {key} is not an object schema: {short(schema)}",
                )
            ann = t.get("annotations")
            check(isinstance(ann, dict), f"tool {name} has no annotations")
            if name in read_tools:
                check(ann.get("readOnlyHint") is True, f"tool {name}: readOnlyHint should be true: {ann}")
            else:
                check(ann.get("readOnlyHint") is not True, f"write tool {name} is marked readOnlyHint: {ann}")
        by_name = {t["name"]: t for t in tools}
        check(
            by_name["delete_data"]["annotations"].get("destructiveHint") is True,
            f"delete_data: destructiveHint should be true: {by_name['delete_data']['annotations']}",
        )
        check(
            by_name["update_data"]["annotations"].get("idempotentHint") is False,
            f"update_data: idempotentHint should be false: {by_name['update_data']['annotations']}",
        )
        emit("tools/list", tools=names)

    async def list_projects(self) -> None:
        s = await self.call("list_projects", {})
        check(set(s) == {"projects"}, f'list_projects: expected {{"projects": [...]}}, got {short(s)}')
        projects = s["projects"]
        check(isinstance(projects, list) and len(projects) == 1, f"list_projects: expected one project: {short(s)}")
        p = projects[0]
        missing = [k for k in ("id", "name", "description", "role") if k not in p]
        check(not missing, f"list_projects: project lacks {missing}: {short(p)}")
        check(p["name"] == "E2E", f"list_projects: project name is {p['name']!r}, expected 'E2E'")
        check(isinstance(p["id"], str) and p["id"] != "", f"list_projects: project id is not a string: {short(p)}")
        check(p["role"] in ("owner", "admin", "editor"), f"list_projects: role {p['role']!r} cannot write")
        check(UNTRUSTED not in self.last_meta, f"list_projects carries no entry yet is marked: {short(self.last_meta)}")
        self.project_id = p["id"]
        emit("list_projects", projectId=p["id"], role=p["role"])

    async def list_types(self) -> None:
        s = await self.call("list_types", {"projectId": self.project_id})
        check(set(s) == {"types"}, f'list_types: expected {{"types": [...]}}, got {short(s)}')
        types = s["types"]
        check(isinstance(types, list), f"list_types: types is not a list: {short(s)}")
        tasks = [t for t in types if isinstance(t, dict) and t.get("collectionName") == self.collection]
        check(len(tasks) == 1, f"list_types: expected one type 'tasks' in {short(types)}")
        t = tasks[0]
        keys = ("collectionName", "title", "description", "schema", "defaultAccess", "creationAccess")
        missing = [k for k in keys if k not in t]
        check(not missing, f"list_types: type lacks {missing}: {short(t)}")
        check(isinstance(t["defaultAccess"], dict), f"list_types: defaultAccess is not an object: {short(t)}")
        check(isinstance(t["creationAccess"], list), f"list_types: creationAccess is not a list: {short(t)}")
        emit("list_types", types=[x.get("collectionName") for x in types])

    async def create(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        for title, n in (("a", 1), ("b", 2), ("c", 3)):
            s = await self.call(
                "create_data",
                {"projectId": self.project_id, "collectionName": self.collection, "data": {"title": title, "n": n}},
            )
            entry = self.only_entry("create_data", s, revision=1)
            check(
                entry.get("title") == title and entry.get("n") == n,
                f"create_data: the entry's own fields are not the data sent: {short(entry)}",
            )
            self.entries[title] = entry
        emit("create_data", ids={k: v["id"] for k, v in self.entries.items()})

    async def get(self) -> None:
        a = self.entries["a"]
        s = await self.call(
            "get_data", {"projectId": self.project_id, "collectionName": self.collection, "id": a["id"]}
        )
        entry = self.only_entry("get_data", s, revision=1)
        check(entry == a, f"get_data: {short(entry)} differs from the created entry {short(a)}")
        mark = self.last_meta.get(UNTRUSTED) or {}
        check(
            mark.get("content") == "user-data" and isinstance(mark.get("authors"), list) and len(mark["authors"]) == 1,
            f"get_data: _meta does not mark the entry as user data by its author: {short(self.last_meta)}",
        )
        emit("get_data", id=a["id"])

    async def query(self) -> None:
        base = {
            "projectId": self.project_id,
            "collectionName": self.collection,
            "filter": {"n": {"$gte": 2}},
            "sort": {"n": -1},
            "limit": 1,
        }
        s = await self.call("query_data", base)
        check(set(s) >= {"entries", "nextCursor"}, f"query_data: expected entries and nextCursor: {short(s)}")
        entries = s["entries"]
        check(isinstance(entries, list) and len(entries) == 1, f"query_data: expected one entry: {short(s)}")
        self.check_listed(entries[0], revision=1)
        check(entries[0].get("n") == 3, f"query_data page 1: expected n=3 first: {short(entries[0])}")
        cursor = s["nextCursor"]
        check(isinstance(cursor, str) and cursor != "", f"query_data page 1: nextCursor should be a string: {short(s)}")
        s2 = await self.call("query_data", {**base, "cursor": cursor})
        entries2 = s2.get("entries")
        check(isinstance(entries2, list) and len(entries2) == 1, f"query_data page 2: expected one entry: {short(s2)}")
        check(entries2[0].get("n") == 2, f"query_data page 2: expected n=2: {short(entries2[0])}")
        check(
            "nextCursor" in s2 and s2["nextCursor"] is None,
            f"query_data page 2: nextCursor should be null: {short(s2)}",
        )
        check(s2.get("returned") == 1, f"query_data page 2: returned should be 1: {short(s2)}")
        whole = await self.call("query_data", {**base, "include": list(ON_REQUEST)})
        self.check_entry("query_data include", whole["entries"][0], revision=1)
        emit("query_data", pages=[[e["n"] for e in entries], [e["n"] for e in entries2]])

    async def page_size(self) -> None:
        """A default page of 50 entries shaped like make bench's, and the same page with every
        system field included (the shape every page had before): both texts, for the caller
        to count their tokens."""
        collection = {"projectId": self.project_id, "collectionName": self.collection}
        words = ["review the contract", "call the supplier", "ship the order", "update the forecast"]
        for g in range(1, 51):
            data = {
                "title": f"Task {g}: {words[g % 4]}",
                "n": 1000 + g,
                "status": ["open", "in_progress", "done"][g % 3],
                "priority": 1 + g % 5,
                "tags": [["alpha", "beta", "gamma", "delta"][g % 4], f"team-{1 + g % 7}"],
                "due": f"2027-{1 + g % 12:02d}-{1 + g % 28:02d}",
            }
            await self.call("create_data", {**collection, "data": data})
        query = {**collection, "filter": {"n": {"$gt": 1000}}, "limit": 50}
        listed = await self.call("query_data", query)
        default_text = self.last_text
        check(listed.get("returned") == 50, f"page size: expected 50 entries: {short(listed)}")
        for entry in listed["entries"]:
            self.check_listed(entry, revision=1)
        whole = await self.call("query_data", {**query, "include": list(ON_REQUEST)})
        full_text = self.last_text
        check(whole.get("returned") == 50, f"page size: expected 50 whole entries: {short(whole)}")
        emit("page size", default=default_text, full=full_text)

    async def count(self) -> None:
        s = await self.call(
            "count_data",
            {"projectId": self.project_id, "collectionName": self.collection, "filter": {"n": {"$gte": 2}}},
        )
        check(s == {"count": 2}, f'count_data: expected {{"count": 2}}, got {short(s)}')
        emit("count_data", count=2)

    async def aggregate(self) -> None:
        """Groups in the database: a total over a filter, then one group per title paged two
        at a time, newest title first (the entries are a/1, b/2, c/3)."""
        at = {"projectId": self.project_id, "collectionName": self.collection}
        s = await self.call(
            "aggregate_data",
            {**at, "filter": {"n": {"$gte": 2}}, "metrics": ["count", "sum(n)", "avg:n", "max:n"]},
        )
        want = {"key": {}, "count": 2, "sum:n": 5, "avg:n": 2.5, "max:n": 3, "skipped:n": 0}
        check(s == {"groups": [want], "truncated": False}, f"aggregate_data total: got {short(s)}")
        paged = {**at, "groupBy": ["title"], "metrics": ["count"], "sort": {"title": -1}, "limit": 2}
        first = await self.call("aggregate_data", paged)
        titles = [g["key"]["title"] for g in first.get("groups", [])]
        check(titles == ["c", "b"] and first.get("truncated") is True, f"aggregate_data page 1: {short(first)}")
        rest = await self.call("aggregate_data", {**paged, "cursor": first["nextCursor"]})
        check(
            rest == {"groups": [{"key": {"title": "a"}, "count": 1}], "truncated": False},
            f"aggregate_data page 2: {short(rest)}",
        )
        emit("aggregate_data", pages=[titles, ["a"]])

    async def update(self) -> None:
        a = self.entries["a"]
        args = {
            "projectId": self.project_id,
            "collectionName": self.collection,
            "id": a["id"],
            "modifier": {"$inc": {"n": 10}, "$set": {"done": True}},
        }
        s = await self.call("update_data", args)
        entry = self.only_entry("update_data", s, revision=2)
        check(entry.get("n") == 11 and entry.get("done") is True, f"update_data: modifier not applied: {short(entry)}")
        check(
            entry["id"] == a["id"] and entry["createdAt"] == a["createdAt"],
            f"update_data: identity changed: {short(entry)}",
        )
        emit("update_data", id=a["id"], revision=2)

        err = await self.tool_error("update_data", {**args, "expectedRevision": 1}, "CONFLICT")
        check(
            is_int(err.get("currentRevision")) and err["currentRevision"] == 2,
            f"update_data conflict: currentRevision should be 2: {short(err)}",
        )
        emit("update_data conflict", code="CONFLICT", currentRevision=2)

    async def delete(self) -> None:
        a = self.entries["a"]
        ident = {"projectId": self.project_id, "collectionName": self.collection, "id": a["id"]}
        s = await self.call("delete_data", ident)
        self.only_entry("delete_data", s, revision=3, deleted=True)
        emit("delete_data", id=a["id"], revision=3)
        await self.tool_error("get_data", ident, "NOT_FOUND")
        emit("get_data deleted", code="NOT_FOUND")

    async def bulk(self) -> None:
        """update_many and delete_many: a preview that changes nothing, its confirmation, and a
        token that works once."""
        base = {"projectId": self.project_id, "collectionName": self.collection}
        args = {**base, "filter": {"n": {"$gte": 2, "$lt": 100}}, "modifier": {"$set": {"bulk": True}}}
        p = await self.call("update_many", args)
        check(
            p.get("preview") is True and p.get("matched") == 2 and p.get("skipped") == 0,
            f"update_many preview: expected 2 matched, 0 skipped: {short(p)}",
        )
        check(isinstance(p.get("confirm"), str) and p["confirm"], f"update_many: no confirm token: {short(p)}")
        check(
            is_timestamp(p.get("expiresAt")) and "ask" in (p.get("next") or ""),
            f"update_many: no expiry or no instruction to ask the person: {short(p)}",
        )
        samples = p.get("samples") or []
        check(
            len(samples) == 2 and all(s.get("after") == {"bulk": True} for s in samples),
            f"update_many: samples do not show the change: {short(samples)}",
        )
        b = self.entries["b"]
        unchanged = await self.call("get_data", {**base, "id": b["id"]})
        self.only_entry("get_data", unchanged, revision=1)
        emit("update_many preview", matched=2)
        done = await self.call("update_many", {**args, "confirm": p["confirm"]})
        check(
            done.get("preview") is False and done.get("changed") == 2,
            f"update_many confirm: expected 2 changed: {short(done)}",
        )
        check(
            all(e.get("revision") == 2 for e in done.get("entries") or []),
            f"update_many confirm: revisions should be 2: {short(done)}",
        )
        after = await self.call("get_data", {**base, "id": b["id"]})
        entry = self.only_entry("get_data", after, revision=2)
        check(entry.get("bulk") is True, f"update_many: change not stored: {short(entry)}")
        emit("update_many confirm", changed=2)
        err = await self.tool_error("update_many", {**args, "confirm": p["confirm"]}, "INVALID_ARGUMENT")
        check(err.get("field") == "confirm", f"update_many reused token: not refused on confirm: {short(err)}")
        emit("update_many reused token", code="INVALID_ARGUMENT")

        for title in ("tmp1", "tmp2"):
            await self.call("create_data", {**base, "data": {"title": title, "tag": "tmp"}})
        dargs = {**base, "filter": {"tag": "tmp"}}
        p = await self.call("delete_many", dargs)
        check(p.get("matched") == 2 and len(p.get("samples") or []) == 2, f"delete_many preview: {short(p)}")
        check(
            all((s.get("data") or {}).get("tag") == "tmp" for s in p["samples"]),
            f"delete_many: samples do not show the entries: {short(p)}",
        )
        done = await self.call("delete_many", {**dargs, "confirm": p["confirm"]})
        check(done.get("changed") == 2, f"delete_many confirm: expected 2 deleted: {short(done)}")
        gone = await self.call("count_data", dargs)
        check(gone == {"count": 0}, f"delete_many: entries still listed: {short(gone)}")
        emit("delete_many", changed=2)

    async def unknown_argument(self) -> None:
        err = await self.tool_error(
            "query_data",
            {"projectId": self.project_id, "collectionName": self.collection, "filtre": {"n": 1}},
            "INVALID_ARGUMENT",
        )
        check(
            err.get("field") == "filtre" or "filtre" in err["message"],
            f"query_data filtre: the error does not name the unknown argument: {short(err)}",
        )
        emit("query_data filtre", code="INVALID_ARGUMENT", field=err.get("field"))

    async def data_as_string(self) -> None:
        s = await self.call(
            "create_data",
            {
                "projectId": self.project_id,
                "collectionName": self.collection,
                "data": json.dumps({"title": "d", "n": 4}),
            },
        )
        entry = self.only_entry("create_data", s, revision=1)
        check(
            entry.get("title") == "d" and entry.get("n") == 4,
            f"create_data (string data): fields not stored: {short(entry)}",
        )
        emit("create_data string", id=entry["id"])

    async def create_many(self) -> None:
        """create_many: all or none, a compact result in the order sent, a retry with the
        idempotency key answered from the first call, the key with other arguments refused;
        create_data's key likewise."""
        batch = f"py-{uuid.uuid4()}"
        key = f"import-{batch}"
        base = {"projectId": self.project_id, "collectionName": self.collection}
        entries = [{"title": f"many {i}", "n": 100 + i, "batch": batch} for i in range(3)]
        args = {**base, "entries": entries, "idempotencyKey": key}
        first = await self.call("create_many", args)
        check(first.get("created") == 3, f"create_many: created should be 3: {short(first)}")
        made = first.get("entries")
        check(isinstance(made, list) and len(made) == 3, f"create_many: 3 entries expected: {short(first)}")
        for item in made:
            check(
                set(item) == {"id", "revision", "createdAt"}
                and item["revision"] == 1
                and is_timestamp(item["createdAt"]),
                f"create_many: an entry is not {{id, revision: 1, createdAt}}: {short(item)}",
            )
        s = await self.call("get_data", {**base, "id": made[1]["id"]})
        entry = self.only_entry("get_data", s, revision=1)
        check(entry.get("title") == "many 1", f"create_many: entries not stored in order: {short(entry)}")
        again = await self.call("create_many", args)
        check(again == first, f"create_many retry: {short(again)} differs from the first {short(first)}")
        counted = await self.call("count_data", {**base, "filter": {"batch": batch}})
        check(counted == {"count": 3}, f"create_many retry created again: {short(counted)}")
        emit("create_many", ids=[m["id"] for m in made], replayed=True)

        err = await self.tool_error("create_many", {**args, "entries": entries[:2]}, "CONFLICT")
        check("key" in err["message"], f"create_many reused key: the message does not say so: {short(err)}")
        bad = [entries[0], {"title": "x", "id": "mine"}]
        err = await self.tool_error(
            "create_many", {**base, "entries": bad, "idempotencyKey": f"{key}-bad"}, "INVALID_ARGUMENT"
        )
        check(err.get("field") == "entries[1]", f"create_many bad entry: field should be entries[1]: {short(err)}")
        counted = await self.call("count_data", {**base, "filter": {"batch": batch}})
        check(counted == {"count": 3}, f"create_many with a bad entry wrote some: {short(counted)}")
        emit("create_many refusals", conflict="CONFLICT", invalid=err.get("field"))

        one = {**base, "data": {"title": "once", "batch": batch}, "idempotencyKey": f"{key}-one"}
        created = self.only_entry("create_data", await self.call("create_data", one), revision=1)
        replayed = self.only_entry("create_data", await self.call("create_data", one), revision=1)
        check(replayed == created, f"create_data retry: {short(replayed)} differs from {short(created)}")
        counted = await self.call("count_data", {**base, "filter": {"batch": batch}})
        check(counted == {"count": 4}, f"create_data retry created again: {short(counted)}")
        emit("create_data idempotencyKey", id=created["id"])

    async def undo(self) -> None:
        """"Undo what you just did": a wrong update found through list_activity and
        get_history, set back with restore_data; then a delete undone."""
        base = {"projectId": self.project_id, "collectionName": self.collection}
        made = await self.call("create_data", {**base, "data": {"title": "keep me", "n": 50}})
        entry = self.only_entry("create_data", made, revision=1)
        eid = entry["id"]
        await self.call("update_data", {**base, "id": eid, "modifier": {"$set": {"title": "oops"}, "$inc": {"n": 1}}})
        act = await self.call("list_activity", {"projectId": self.project_id, "limit": 1})
        last = (act.get("records") or [{}])[0]
        check(
            last.get("id") == eid and last.get("action") == "update" and last.get("tool") == "update_data",
            f"list_activity: the last write should be the update of {eid}: {short(act)}",
        )
        hist = await self.call("get_history", {**base, "id": eid})
        records = hist.get("records") or []
        check(
            [r.get("revision") for r in records] == [2, 1] and records[0].get("change", {}).get("modifier"),
            f"get_history: expected revisions [2, 1] with the modifier: {short(hist)}",
        )
        back = await self.call("restore_data", {**base, "id": eid, "revision": 1, "expectedRevision": 2})
        restored = self.only_entry("restore_data", back, revision=3)
        check(
            restored.get("title") == "keep me" and restored.get("n") == 50,
            f"restore_data: revision 1's data is not back: {short(restored)}",
        )
        await self.call("delete_data", {**base, "id": eid})
        await self.tool_error("get_data", {**base, "id": eid}, "NOT_FOUND")
        undeleted = await self.call("restore_data", {**base, "id": eid})
        self.only_entry("restore_data", undeleted, revision=5)
        got = await self.call("get_data", {**base, "id": eid})
        self.only_entry("get_data", got, revision=5)
        emit("undo", id=eid, revisions=5)

    async def resources(self) -> None:
        uri = f"platform://projects/{self.project_id}/types/{self.collection}"
        offered: list[str] = []
        for kind in ("resources", "templates"):
            cursor: str | None = None
            for _ in range(20):
                try:
                    if kind == "resources":
                        page = await self.client.list_resources(cursor=cursor)
                        offered += [str(r.uri) for r in page.resources]
                    else:
                        page = await self.client.list_resource_templates(cursor=cursor)
                        offered += [t.uri_template for t in page.resource_templates]
                except MCPError as e:
                    offered.append(f"<{kind} error {e.code}: {e.message}>")
                    break
                cursor = page.next_cursor
                if cursor is None:
                    break
        check(
            any(uri == o or template_matches(o, uri) for o in offered),
            f"neither resources/list nor resources/templates/list offers {uri}: {short(offered)}",
        )
        emit("resources/list", offered=offered[:10])

        try:
            read = await self.client.read_resource(uri)
        except MCPError as e:
            raise StepFailed(f"resources/read {uri}: JSON-RPC error {e.code} {e.message!r}") from e
        contents = read.model_dump(mode="json", by_alias=True).get("contents") or []
        check(len(contents) >= 1, f"resources/read {uri}: no contents")
        text = contents[0].get("text")
        check(isinstance(text, str), f"resources/read {uri}: contents[0] has no text: {short(contents[0])}")
        try:
            doc = json.loads(text)
        except ValueError as e:
            raise StepFailed(f"resources/read {uri}: text is not JSON ({e}): {short(text)}") from e
        check(
            contains_pair(doc, "collectionName", self.collection),
            f"resources/read {uri}: no collectionName {self.collection!r} in {short(doc)}",
        )
        emit("resources/read", uri=uri, mimeType=contents[0].get("mimeType"))

        missing = f"platform://projects/{uuid.uuid4()}/types/nope"
        try:
            got = await self.client.read_resource(missing)
        except MCPError as e:
            check(
                e.code in JSONRPC_RESOURCE_NOT_FOUND,
                f"resources/read {missing}: error code {e.code}, expected one of {JSONRPC_RESOURCE_NOT_FOUND}",
            )
            emit("resources/read missing", code=e.code, message=e.message)
            return
        raise StepFailed(
            f"resources/read {missing}: expected a JSON-RPC error, got {short(got.model_dump(mode='json'))}"
        )


def template_matches(template: str, uri: str) -> bool:
    """RFC 6570 level 1: each {var} stands for one non-empty path segment."""
    if "{" not in template:
        return False
    pattern = "".join(
        "[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]*\})", template)
    )
    return re.fullmatch(pattern, uri) is not None


def contains_pair(doc: Any, key: str, value: Any) -> bool:
    if isinstance(doc, dict):
        return doc.get(key) == value or any(contains_pair(v, key, value) for v in doc.values())
    if isinstance(doc, list):
        return any(contains_pair(v, key, value) for v in doc)
    return False


LAST_HTTP_ERROR: list[str] = []


async def note_http_error(response: httpx2.Response) -> None:
    """Keeps the last non-2xx HTTP answer, which the SDK's JSON-RPC errors do not mention."""
    if response.status_code >= 300:
        detail = f"{response.request.method} -> HTTP {response.status_code}"
        if challenge := response.headers.get("www-authenticate"):
            detail += f", WWW-Authenticate: {challenge}"
        LAST_HTTP_ERROR[:] = [detail]


async def main(url: str, token: str, mode: str, tools: tuple[set[str], set[str]] | None) -> int:
    step = "connect"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with (
            httpx2.AsyncClient(
                headers=headers,
                timeout=httpx2.Timeout(30.0, read=60.0),
                event_hooks={"response": [note_http_error]},
            ) as http,
            Client(streamable_http_client(url, http_client=http), mode=mode) as client,
        ):
            run = Run(client, mode, tools)
            # Failures are caught inside the connection, so they are not wrapped in the
            # exception groups of the transport's task group on the way out.
            try:
                for step, action in (
                    ("protocol", run.protocol),
                    ("tools/list", run.tools_list),
                    ("list_projects", run.list_projects),
                    ("list_types", run.list_types),
                    ("create_data", run.create),
                    ("get_data", run.get),
                    ("query_data", run.query),
                    ("count_data", run.count),
                    ("aggregate_data", run.aggregate),
                    ("update_data", run.update),
                    ("delete_data", run.delete),
                    ("bulk", run.bulk),
                    ("query_data filtre", run.unknown_argument),
                    ("create_data string", run.data_as_string),
                    ("resources", run.resources),
                    ("page size", run.page_size),
                    ("create_many", run.create_many),
                    ("undo", run.undo),
                ):
                    LAST_HTTP_ERROR.clear()
                    await action()
            except StepFailed as e:
                return fail(step, str(e))
            except MCPError as e:
                return fail(step, f"JSON-RPC error {e.code}: {e.message} (data {short(e.data)})")
            except Exception as e:  # any other failure of this run, said plainly
                return fail(step, f"{type(e).__name__}: {e}")
    except BaseException as e:  # connect/close failures, possibly grouped by anyio
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        leaf = first_leaf(e)
        if isinstance(leaf, MCPError):
            return fail(step, f"JSON-RPC error {leaf.code}: {leaf.message} (data {short(leaf.data)})")
        return fail(step, f"{type(leaf).__name__}: {leaf}")
    print(json.dumps({"step": "done", "ok": True, "mode": mode}), flush=True)
    return 0


def first_leaf(e: BaseException) -> BaseException:
    while isinstance(getattr(e, "exceptions", None), tuple) and e.exceptions:  # an ExceptionGroup
        e = e.exceptions[0]
    return e


def fail(step: str, message: str) -> int:
    if LAST_HTTP_ERROR:
        message += f" [last HTTP error: {LAST_HTTP_ERROR[0]}]"
    print(json.dumps({"step": step, "ok": False, "error": message}), flush=True)
    print(f"tools_client.py: FAILED at {step}: {message}", file=sys.stderr)
    return 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the server's MCP endpoint, e.g. http://127.0.0.1:8080/mcp")
    parser.add_argument("--token", required=True, help="a bearer access token for the seeded person")
    parser.add_argument("--mode", choices=("auto", "legacy"), default="auto")
    parser.add_argument("--read-tools", help="comma-separated names of the tools that only read")
    parser.add_argument("--write-tools", help="comma-separated names of the tools that write")
    args = parser.parse_args()
    if (args.read_tools is None) != (args.write_tools is None):
        parser.error("--read-tools and --write-tools go together")
    return args


def tool_split(args: argparse.Namespace) -> tuple[set[str], set[str]] | None:
    if args.read_tools is None:
        return None
    return set(args.read_tools.split(",")), set(args.write_tools.split(","))


if __name__ == "__main__":
    args = parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sys.exit(anyio.run(main, args.url, args.token, args.mode, tool_split(args)))
