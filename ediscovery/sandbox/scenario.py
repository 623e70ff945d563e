"""The story of the synthetic tenant: which chats, files and projects each user has.

The first chats of the custodian are hand-placed so every edge case exists at every scale (an
artifact whose content endpoint serves plain text instead of a JSON object among them);
the rest are random fill sized by the scale.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from ediscovery.sandbox.agent_sessions import build_sessions
from ediscovery.sandbox.content import held_blob, pdf_bytes, text_bytes, zip_bytes
from ediscovery.sandbox.generator import (
    Builder,
    add_project_content,
    hostile_names,
    make_artifact,
    make_generated,
    make_project,
    sample_files,
)
from ediscovery.sandbox.model import CodeArtifact, CodeArtifactVersion, User
from ediscovery.sandbox.scales import CUSTODIAN_EMAIL, DST_ANCHORS, RECIPES

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CODE_ARTIFACT_PAGE = 100  # the largest page of the code artifacts list


def build_content(builder: Builder, *, big_file_bytes: int | None) -> None:
    tenant = builder.tenant
    alice = tenant.user_by_email(CUSTODIAN_EMAIL)
    carol = tenant.user_by_email("carol@example.com")
    assert alice is not None and carol is not None
    legal, eng, _console = list(tenant.orgs)
    p_alice = make_project(
        builder,
        legal,
        alice,
        "Vendor Contract Review",
        "Answer as outside counsel. Cite clauses.",
        builder.at(),
    )
    p_alice = add_project_content(builder, p_alice, alice, docs=2, files=1)
    p_empty = make_project(builder, eng, alice, "Personal notes", "Be brief.", builder.at())
    add_project_content(builder, p_empty, alice, docs=1, files=0)
    p_carol = make_project(builder, eng, carol, "Platform Roadmap", "Prefer tables.", builder.at())
    p_carol = add_project_content(builder, p_carol, carol, docs=1, files=1)
    _custodian_edge_chats(builder, alice, legal, eng, p_alice.id, p_carol.id)
    _fill(builder, alice, [legal, eng], builder.scale.custodian_chats - 7)
    for user in tenant.users.values():
        if user.id != alice.id:
            orgs = [m.org_uuid for m in user.memberships if tenant.orgs[m.org_uuid].kind == "claude_ai"]
            _fill(builder, user, orgs, builder.scale.other_chats)
    _big_files(builder, big_file_bytes)
    _code_artifacts(builder, alice, legal, eng)
    build_sessions(builder, alice, [u for u in tenant.users.values() if u.id != alice.id][:4], [legal, eng])


def _code_artifacts(builder: Builder, alice: User, legal: str, eng: str) -> None:
    """The custodian's code artifacts among two pages' worth of other people's: a published site
    with a version that rotated out and one still uploading, and a multi-file Claude Doc."""
    tenant = builder.tenant
    others = [u for u in tenant.users.values() if u.id != alice.id]
    for index in range(2 * CODE_ARTIFACT_PAGE + 10):
        owner = others[index % len(others)]
        version = CodeArtifactVersion(
            builder.ids.tagged("cartv_"), "index.html", builder.at(), held_blob(b"<p>x</p>")
        )
        item = CodeArtifact(
            builder.ids.tagged("cart_"), eng, owner.id, "org", version.created_at, (version,), version.blob
        )
        tenant.code_artifacts[item.id] = item
    site = [
        CodeArtifactVersion(
            builder.ids.tagged("cartv_"), f"v{n}", builder.at(), held_blob(text_bytes(40 + n))
        )
        for n in range(3)
    ]
    site[1].uploading = 1
    site[2].rotated = True
    current = site[0].blob
    doc_files = held_blob(zip_bytes({"Memo.docx": b"memo", "Annex.docx": b"annex"}))
    doc = [CodeArtifactVersion(builder.ids.tagged("cartv_"), "Claude Doc", builder.at(), doc_files)]
    for item in (
        CodeArtifact(builder.ids.tagged("cart_"), eng, alice.id, "users", builder.at(), tuple(site), current),
        CodeArtifact(
            builder.ids.tagged("cart_"), legal, alice.id, "owner", builder.at(), tuple(doc), doc_files, True
        ),
    ):
        tenant.code_artifacts[item.id] = item


def _custodian_edge_chats(
    builder: Builder, alice: User, legal: str, eng: str, project_id: str, other_project_id: str
) -> None:
    """Seven hand-placed chats: files, tools, i18n, projects, shared file, soft delete."""
    anchors = [*DST_ANCHORS, builder.at(), builder.at(), builder.at()]
    specs = [
        (legal, "Contract files", None, "plain"),
        (eng, "Build pipeline", None, "long_tool"),
        (legal, "Translations 多言語", None, "i18n"),
        (legal, "Clause review", project_id, "tool"),
        (eng, "Old draft (deleted)", None, "plain"),
        (eng, "Roadmap questions", other_project_id, "code"),
        (legal, "Follow-up on report", None, "plain"),
    ]
    chats = []
    for (org, name, project, recipe), at in zip(specs, anchors, strict=True):
        chat = builder.new_chat(alice, org, name, at, project)
        builder.fill_chat(chat, 6, recipe)
        chats.append(chat.id)
    _edge_attachments(builder, chats)


def _edge_attachments(builder: Builder, chats: list[str]) -> None:
    """What the seven edge chats hold: shared and hostile files, both generated-file id kinds,
    artifacts, and a soft-deleted chat with a file and an artifact."""
    t = builder.tenant
    files = sample_files(builder)
    hostile = [builder.new_file(n, "text/plain", text_bytes(i)) for i, n in enumerate(hostile_names())]
    builder.attach(chats[0], 0, file_ids=(files["pdf"].id, files["png"].id, files["dup1"].id))
    builder.attach(chats[0], 2, file_ids=(files["pdf"].id, files["csv"].id, files["dup2"].id))
    builder.attach(chats[0], 4, file_ids=tuple(f.id for f in hostile))
    builder.attach(chats[6], 0, file_ids=(files["pdf"].id, files["txt"].id))
    gen_a = make_generated(builder, chats[1], "summary.csv", "text/csv", "claude_gen_file_")
    gen_b = make_generated(builder, chats[1], "chart.png", None, "claude_file_")
    art_a = make_artifact(
        builder, chats[1], "Pipeline notes", "text/markdown", "# Pipeline\n\n- build\n- test\n"
    )
    art_b = make_artifact(builder, chats[3], "Clause checker", "application/vnd.ant.code", "print('ok')\n")
    builder.tenant.artifacts[art_b.version_id] = art_b = replace(art_b, plain=True)
    builder.attach(
        chats[1], 1, generated_file_ids=(gen_a.id, gen_b.id), artifact_version_ids=(art_a.version_id,)
    )
    builder.attach(chats[3], 3, artifact_version_ids=(art_b.version_id,))
    doomed = builder.new_file("draft.pdf", "application/pdf", pdf_bytes("Draft", ["to be deleted"]))
    art_c = make_artifact(builder, chats[4], "Deleted artifact", "text/markdown", "gone\n")
    builder.attach(chats[4], 0, file_ids=(doomed.id,))
    builder.attach(chats[4], 1, artifact_version_ids=(art_c.version_id,))
    chat = t.chats[chats[4]]
    t.soft_delete_chat(chat.id, chat.updated_at + timedelta(days=2))
    # Word, PowerPoint and some PDF uploads are served as their extracted text, under the original name.
    memo = builder.new_file("Board memo.docx", DOCX, b"Board memo\n\nThe board approved the budget.\n")
    builder.attach(chats[6], 1, file_ids=(memo.id,))


def _fill(builder: Builder, user: User, orgs: list[str], count: int) -> None:
    low, high = builder.scale.messages
    for index in range(max(count, 0)):
        chat = builder.new_chat(
            user, orgs[index % len(orgs)], f"Chat {index + 1} of {user.full_name}", builder.at(), None
        )
        messages = builder.fill_chat(chat, builder.rng.randint(low, high), builder.rng.choice(RECIPES))
        if builder.rng.random() < 0.15:
            item = builder.new_file(
                f"attachment-{index + 1}.txt", "text/plain", text_bytes(builder.rng.randrange(99))
            )
            builder.attach(chat.id, 0, file_ids=(item.id,))
        if builder.rng.random() < 0.1 and len(messages) > 1:
            art = make_artifact(
                builder, chat.id, f"Note {index + 1}", "text/markdown", f"# Note {index + 1}\n"
            )
            builder.attach(chat.id, 1, artifact_version_ids=(art.version_id,))


def _big_files(builder: Builder, big_file_bytes: int | None) -> None:
    """Seeded binary files spread over chats (``large`` scale) and the optional extra big file."""
    t = builder.tenant
    chat_ids = sorted(c.id for c in t.chats.values() if c.deleted_at is None)
    for index in range(builder.scale.big_files):
        item = builder.new_file(
            f"dataset-{index + 1:03d}.bin", "application/octet-stream", None, builder.scale.big_file_size
        )
        builder.attach(chat_ids[builder.rng.randrange(len(chat_ids))], 0, file_ids=(item.id,))
    if big_file_bytes:
        alice = t.user_by_email(CUSTODIAN_EMAIL)
        assert alice is not None
        first = next(c for c in t.chats_of(alice.id) if c.deleted_at is None)
        item = builder.new_file("big-export.bin", "application/octet-stream", None, big_file_bytes)
        builder.attach(first.id, 0, file_ids=(item.id,))
