"""The Compliance API client: auth headers, retries, rate budget, pagination, downloads, models.

::

    async with ComplianceClient(api_key=api_key_from_env()) as client:
        async for page in client.organizations():
            for org in parse_items(page, Organization):
                ...
"""

from __future__ import annotations

from ediscovery.api.activities import Activity, Actor
from ediscovery.api.blocks import ContentBlock, TextBlock, ToolResultBlock, ToolUseBlock, UnknownBlock
from ediscovery.api.budget import RequestBudget, ServerQuota
from ediscovery.api.client import DEFAULT_BASE_URL, ComplianceClient
from ediscovery.api.credentials import DEFAULT_KEY_ENV, ApiKey, api_key_from_env
from ediscovery.api.download import CallbackSink, DownloadSink, FileSink, disposition_filename
from ediscovery.api.models import (
    ArtifactRef,
    Chat,
    ChatMessage,
    ChatMessagesPage,
    DirectoryUser,
    FileRef,
    GeneratedFileRef,
    Organization,
    UserRef,
    parse_items,
    parse_one,
)
from ediscovery.api.projects import Collaborator, Project, ProjectAttachment, ProjectDocument
from ediscovery.api.query import TimeRange
from ediscovery.api.response import ApiResponse, DownloadResult, RequestRecord
from ediscovery.api.retry import RetryPolicy
from ediscovery.api.session import API_VERSION, USER_AGENT
from ediscovery.timestamps import format_timestamp, parse_timestamp

__all__ = [
    "API_VERSION",
    "DEFAULT_BASE_URL",
    "DEFAULT_KEY_ENV",
    "USER_AGENT",
    "Activity",
    "Actor",
    "ApiKey",
    "ApiResponse",
    "ArtifactRef",
    "CallbackSink",
    "Chat",
    "ChatMessage",
    "ChatMessagesPage",
    "Collaborator",
    "ComplianceClient",
    "ContentBlock",
    "DirectoryUser",
    "DownloadResult",
    "DownloadSink",
    "FileRef",
    "FileSink",
    "GeneratedFileRef",
    "Organization",
    "Project",
    "ProjectAttachment",
    "ProjectDocument",
    "RequestBudget",
    "RequestRecord",
    "RetryPolicy",
    "ServerQuota",
    "TextBlock",
    "TimeRange",
    "ToolResultBlock",
    "ToolUseBlock",
    "UnknownBlock",
    "UserRef",
    "api_key_from_env",
    "disposition_filename",
    "format_timestamp",
    "parse_items",
    "parse_one",
    "parse_timestamp",
]
