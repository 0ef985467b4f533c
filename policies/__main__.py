"""The azfn-profile CrossGuard policy pack: `pulumi preview --policy-pack policies`.

Only assembles the pack (constructing a PolicyPack serves until the engine stops it);
the policies come from azfn_profile.policy, built from the check registry.
"""

from pulumi_policy import PolicyPack

from azfn_profile.clock import today
from azfn_profile.policy import PACK_NAME, pack_policies

PolicyPack(
    PACK_NAME,
    pack_policies(today),
    description="Worker concurrency, plan and security checks for Python function apps.",
)
