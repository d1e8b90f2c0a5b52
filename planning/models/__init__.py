"""Domain models, re-exported (a facade, like django.contrib.gis.db.models)."""

from planning.models.access import Membership, Role
from planning.models.admin_units import REFORM_DATE, AdminUnit, AdminUnitSuccession
from planning.models.analyses import AnalysisRun, InfrastructureConnector, SuggestedSite
from planning.models.areas import AreaKind, Developer, DeveloperTransfer, IndustrialArea
from planning.models.jobs import ImportJob, Job, JobStatus, WorkerBeat
from planning.models.networks import (
    InfrastructureLine,
    InfrastructurePoint,
    InvestmentStatus,
    RoadCorridor,
)
from planning.models.obstacles import Obstacle
from planning.models.parcels import ClearanceParcel, LandUse
from planning.models.plans import (
    EconomicZone,
    KcnType,
    PlanAmendment,
    PlanEntry,
    PlanEntryChange,
    PlanEntryPhase,
    PlannedSite,
    ProvincialPlan,
)
from planning.models.projects import ProjectMilestone, SecondaryProject
from planning.models.proposals import Proposal, ProposalEvent, WorkflowViolation, workflow_write
from planning.models.rasters import DatasetLoad, RasterLayer
from planning.models.targets import AnnualReport, DevelopmentTarget, Indicator

__all__ = [
    "AnalysisRun",
    "InfrastructureConnector",
    "SuggestedSite",
    "ImportJob",
    "Job",
    "JobStatus",
    "WorkerBeat",
    "Membership",
    "Role",
    "REFORM_DATE",
    "AdminUnit",
    "AdminUnitSuccession",
    "AreaKind",
    "Developer",
    "DeveloperTransfer",
    "IndustrialArea",
    "InfrastructureLine",
    "InfrastructurePoint",
    "InvestmentStatus",
    "RoadCorridor",
    "Obstacle",
    "ClearanceParcel",
    "LandUse",
    "ProjectMilestone",
    "SecondaryProject",
    "Proposal",
    "ProposalEvent",
    "WorkflowViolation",
    "workflow_write",
    "DatasetLoad",
    "RasterLayer",
    "AnnualReport",
    "DevelopmentTarget",
    "Indicator",
    # issue 13 plan
    "EconomicZone",
    "KcnType",
    "PlanAmendment",
    "PlanEntry",
    "PlanEntryChange",
    "PlanEntryPhase",
    "PlannedSite",
    "ProvincialPlan",
]
