"""Templates (section 4.4) and migration projects (section 4.5), as read from SMS."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from tui.api.models.common import Bool, Int, NullList, SmsModel, Str


class Vpc(SmsModel):
    """``VpcObject``."""

    id: Str = None
    name: Str = None
    cidr: Str = None


class Nic(SmsModel):
    """``Nics``: a subnet to attach."""

    id: Str = None
    name: Str = None
    cidr: Str = None
    ip: Str = None


class SecurityGroup(SmsModel):
    """``SgObject``."""

    id: Str = None
    name: Str = None


class PublicIp(SmsModel):
    """``PublicIp``: EIP type and bandwidth (1–2000 Mbit/s)."""

    type: Str = None
    bandwidth_size: Int = None
    bandwidth_share_type: Str = None


class TemplateDisk(SmsModel):
    """``TemplateDisk``."""

    id: Int = None
    index: Int = None
    name: Str = None
    disktype: Str = None
    size: Int = None
    device_use: Str = None


class Template(SmsModel):
    """A target-server template (``TemplateResponseBody``); the password is never kept."""

    id: str = ""
    name: Str = None
    is_template: Str = None
    region: Str = None
    projectid: Str = None
    target_server_name: Str = None
    availability_zone: Str = None
    volumetype: Str = None
    flavor: Str = None
    vpc: Vpc | None = None
    nics: Annotated[list[Nic], NullList] = Field(default_factory=list)
    security_groups: Annotated[list[SecurityGroup], NullList] = Field(default_factory=list)
    publicip: PublicIp | None = None
    disk: Annotated[list[TemplateDisk], NullList] = Field(default_factory=list)
    data_volume_type: Str = None
    target_password: Str = Field(None, exclude=True, repr=False)
    """Sent back by some servers; excluded from dumps and reprs, never shown."""
    image_id: Str = None


class TemplateEnvelope(SmsModel):
    """``GET /v3/vm/templates/{id}`` wraps the template in ``template``."""

    template: Template


class ListTemplatesResponse(SmsModel):
    """``GET /v3/vm/templates``."""

    count: int = 0
    templates: Annotated[list[Template], NullList] = Field(default_factory=list)


