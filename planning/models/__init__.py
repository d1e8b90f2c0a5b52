"""Domain models, re-exported (a facade, like django.contrib.gis.db.models)."""

from planning.models.access import Membership, Role
from planning.models.admin_units import REFORM_DATE, AdminUnit, AdminUnitSuccession
from planning.models.analyses import AnalysisRun, InfrastructureConnector, SuggestedSite
from planning.models.areas import AreaKind, Developer, DeveloperTransfer, IndustrialArea
from planning.models.eco import (
    ConversionCriterion,
    ConversionProgramme,
    ConversionRoadmap,
    CriterionProgress,
)

# issue 13 enforce: reporting, enforcement actions, conversion plans, transfer pipeline
from planning.models.enforcement import (  # noqa: E402  (after the models it builds on)
    ConversionPlan,
    EnforcementAction,
    ReportKind,
    ReportSubmission,
    TransferCase,
)
from planning.models.jobs import ImportJob, Job, JobStatus, WorkerBeat
from planning.models.networks import (
    InfrastructureLine,
    InfrastructurePoint,
    InvestmentStatus,
    RoadCorridor,
    RoadInterchange,
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
from planning.models.proposals import (
    Proposal,
    ProposalEvent,
    ProposalPhase,  # issue 13 rules
    WorkflowViolation,
    workflow_write,
)
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
    "RoadInterchange",
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
    # issue 13 rules
    "ProposalPhase",
    # issue 13 eco
    "ConversionCriterion",
    "ConversionProgramme",
    "ConversionRoadmap",
    "CriterionProgress",
    # issue 13 enforce
    "ConversionPlan",
    "EnforcementAction",
    "ReportKind",
    "ReportSubmission",
    "TransferCase",
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

# issue 14 map: the national base map
from planning.models.basemap import BasemapFeature  # noqa: E402

__all__ += ["BasemapFeature"]
