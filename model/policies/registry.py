"""The name-to-class registry that builds policies from YAML ``type:`` keys."""

from __future__ import annotations

from model.households import Population
from model.policies.affordability import Affordability
from model.policies.base import Policy, PolicyConfig
from model.policies.connectivity import Connectivity
from model.policies.labour_regulation import LabourRegulation
from model.policies.skills_training import SkillsTraining
from model.policies.social_protection import SocialProtection

POLICY_TYPES: dict[str, type[Policy]] = {
    "connectivity": Connectivity,
    "affordability": Affordability,
    "skills_training": SkillsTraining,
    "labour_regulation": LabourRegulation,
    "social_protection": SocialProtection,
}
"""Every policy type, by the name used in YAML."""


def build_policy(config: PolicyConfig, pars: dict[str, float], pop: Population) -> Policy:
    """Instantiate the policy for a validated config and the run's population."""
    return POLICY_TYPES[config.type](config, pars, pop)
