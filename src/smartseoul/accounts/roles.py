"""Roles are Django groups; this is the one place that says which permissions each holds."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    CITIZEN = "citizen"
    OFFICIAL = "official"
    DEPARTMENT_MANAGER = "department_manager"
    ELECTION_ADMINISTRATOR = "election_administrator"
    ELECTION_TRUSTEE = "election_trustee"
    DATA_PUBLISHER = "data_publisher"
    SENSOR_OPERATOR = "sensor_operator"
    RECORDS_OFFICER = "records_officer"
    SYSTEM_ADMINISTRATOR = "system_administrator"


ROLE_LABELS = {
    Role.CITIZEN: _("Citizen"),
    Role.OFFICIAL: _("Official"),
    Role.DEPARTMENT_MANAGER: _("Department manager"),
    Role.ELECTION_ADMINISTRATOR: _("Election administrator"),
    Role.ELECTION_TRUSTEE: _("Election trustee"),
    Role.DATA_PUBLISHER: _("Data publisher"),
    Role.SENSOR_OPERATOR: _("Sensor operator"),
    Role.RECORDS_OFFICER: _("Records officer"),
    Role.SYSTEM_ADMINISTRATOR: _("System administrator"),
}

_OFFICIAL = ["accounts.access_official_portal"]

# "app_label.codename" for every permission a role grants.  Services added later extend this
# table with their own permissions.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.CITIZEN: [],
    Role.OFFICIAL: _OFFICIAL,
    Role.DEPARTMENT_MANAGER: [
        *_OFFICIAL,
        "accounts.manage_department",
        "accounts.view_officialprofile",
        "audit.view_auditevent",
        "ledger.record_documents",
    ],
    Role.ELECTION_ADMINISTRATOR: [*_OFFICIAL, "accounts.administer_elections"],
    Role.ELECTION_TRUSTEE: ["accounts.act_as_trustee"],
    Role.DATA_PUBLISHER: [*_OFFICIAL, "accounts.publish_data"],
    Role.SENSOR_OPERATOR: [*_OFFICIAL, "accounts.operate_sensors"],
    # Vehicle inspectors and records clerks: record documents and inspection results.
    Role.RECORDS_OFFICER: [*_OFFICIAL, "ledger.record_documents"],
    Role.SYSTEM_ADMINISTRATOR: [
        *_OFFICIAL,
        "accounts.manage_roles",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.view_department",
        "accounts.add_department",
        "accounts.change_department",
        "accounts.view_officialprofile",
        "accounts.add_officialprofile",
        "accounts.change_officialprofile",
        "accounts.view_citizenprofile",
        "accounts.view_apikey",
        "accounts.change_apikey",
        "audit.view_auditevent",
        "ledger.record_documents",
    ],
}

# Holding any of these roles makes an account one that must use two-factor authentication.
MFA_ROLES = set(Role) - {Role.CITIZEN}
