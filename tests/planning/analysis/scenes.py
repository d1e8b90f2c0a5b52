"""Hand-made test provinces for the site-suggestion tests (module constants, not fixtures, so that
Hypothesis tests can use them).

The golden province: 5 km × 5 km at 25 m (200 × 200 cells), VN-2000 / TM-3 108-15 (EPSG:9217),
south-west corner at (500 000, 1 500 000). Local coordinates below are metres from that corner;
row ``i`` covers local y ∈ [5000 − 25 (i + 1), 5000 − 25 i], column ``j`` x ∈ [25 j, 25 j + 25];
cell centres sit at 12.5 + 25 k. Every edge is placed off the 25 m lattice so that rasterising
is never a tie.

=================  ===========================================  ==========================
feature            where (rows i, columns j)                    cells inside the corridor
=================  ===========================================  ==========================
road ĐT640         y = 2490, x −100 … 5100 (invested)           corridor: centres with
                                                                |y − 2490| ≤ 2000 → rows
                                                                20–179 = 160 × 200 = 32 000
existing KCN       box x 4240–5200, y −200–5200; 500 m setback  straight edge x = 3740 →
                   (all-touched)                                columns 149–199: 51 × 160 = 8 160
river (water, 4)   columns 40–43, all rows                      4 × 160 = 640
forest (3)         rows 30–49, columns 60–89                    20 × 30 = 600
village (5)        rows 140–143, columns 100–104 (20 cells);    rectangle 5 × 4 dilated by a
                   200 m = 8-cell buffer (centre to centre)     disc of 8 cells: 20 + 2·8·(5+4)
                                                                + 4·41 = 328 (41 lattice points
                                                                with dx, dy ≥ 1, dx² + dy² ≤ 64)
flood 1.0 m        rows 160–169, columns 10–29                  10 × 20 = 200
flood 0.3 m        rows 100–109, columns 10–29                  (kept: ≤ 0.5 m)
other proposal     box x 1810–2090, y 710–990, setback 0        columns 72–83 × rows 160–171
                   (all-touched)                                = 12 × 12 = 144
protected zone     box x 3010–3190, y 3010–3190 (all-touched)   columns 120–127 × rows 72–79 = 64
rice (1)           rows 100–129, columns 110–148                30 × 39 = 1 170 (kept unless
                                                                ``exclude_rice``)
bare land (6)      rows 150–179, columns 50–99                  (kept; cheapest conversion)
everything else    annual crops (2); DEM a 1 % plane rising     —
                   eastwards; 1 resident per cell + 500 per
                   village cell
=================  ===========================================  ==========================

None of the excluded sets overlap, so eligible = 32 000 − (8 160 + 640 + 600 + 328 + 200 + 144
+ 64) = 32 000 − 10 136 = 21 864 cells = **1 366.5 ha** (0.0625 ha per cell); with
``exclude_rice`` 21 864 − 1 170 = 20 694 cells = **1 293.375 ha**.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from shapely import LineString, box
from shapely.affinity import translate

from planning.analysis.rasters import Grid
from planning.analysis.records import RoadRecord
from planning.analysis.site_suggestion import SiteCriteria

X0, Y0 = 500_000.0, 1_500_000.0
CELL = 25.0
N = 200

GOLDEN_CORRIDOR_HA = 2000.0
GOLDEN_EXCLUDED_HA = {
    "existing_areas": 510.0,
    "water": 40.0,
    "forest": 37.5,
    "built_up": 20.5,
    "flood": 12.5,
    "proposals": 9.0,
    "exclusion_zones": 4.0,
    "slope": 0.0,
    "no_data": 0.0,
    "rice": 0.0,
}
GOLDEN_ELIGIBLE_HA = 1366.5
GOLDEN_ELIGIBLE_HA_NO_RICE = 1293.375
GOLDEN_CRITERIA = SiteCriteria(proposal_setback_m=0.0)


def local(geom, dx: float = X0, dy: float = Y0):
    return translate(geom, dx, dy)


@dataclass(frozen=True)
class Scene:
    grid: Grid
    dem: np.ndarray
    landcover: np.ndarray
    flood: np.ndarray
    population: np.ndarray
    roads: tuple
    existing_areas: tuple
    power_lines: tuple
    proposals: tuple
    exclusion_zones: tuple

    def kwargs(self) -> dict:
        return dict(
            grid=self.grid,
            dem=self.dem,
            landcover=self.landcover,
            flood=self.flood,
            population=self.population,
            roads=list(self.roads),
            existing_areas=list(self.existing_areas),
            power_lines=list(self.power_lines),
            proposals=list(self.proposals),
            exclusion_zones=list(self.exclusion_zones),
        )

    def translated(self, dx: float, dy: float) -> Scene:
        t = lambda g: translate(g, dx, dy)  # noqa: E731
        return replace(
            self,
            grid=self.grid.translate(dx, dy),
            roads=tuple(RoadRecord(t(r.geometry), r.status, r.name) for r in self.roads),
            existing_areas=tuple(map(t, self.existing_areas)),
            power_lines=tuple(map(t, self.power_lines)),
            proposals=tuple(map(t, self.proposals)),
            exclusion_zones=tuple(map(t, self.exclusion_zones)),
        )


def golden_province() -> Scene:
    grid = Grid.from_origin(X0, Y0 + N * CELL, cell_size=CELL, rows=N, cols=N, crs_epsg=9217)
    x_local = (np.arange(N) + 0.5) * CELL
    dem = np.tile((5.0 + 0.01 * x_local).astype(np.float32), (N, 1))  # 1 % slope eastwards
    lc = np.full((N, N), 2, np.uint8)
    lc[:, 40:44] = 4  # river
    lc[30:50, 60:90] = 3  # forest
    lc[150:180, 50:100] = 6  # bare land
    lc[100:130, 110:149] = 1  # rice
    lc[140:144, 100:105] = 5  # village
    flood = np.zeros((N, N), np.float32)
    flood[160:170, 10:30] = 1.0
    flood[100:110, 10:30] = 0.3
    pop = np.ones((N, N), np.float32)
    pop[140:144, 100:105] += 500
    roads = (
        RoadRecord(local(LineString([(-100, 2490), (5100, 2490)])), "invested", "ĐT640"),
        RoadRecord(local(LineString([(2600, -100), (2600, 1200)])), "planned", "ĐH12 (quy hoạch)"),
    )
    return Scene(
        grid=grid,
        dem=dem,
        landcover=lc,
        flood=flood,
        population=pop,
        roads=roads,
        existing_areas=(local(box(4240, -200, 5200, 5200)),),
        power_lines=(local(LineString([(2510, 0), (2510, 5000)])),),
        proposals=(local(box(1810, 710, 2090, 990)),),
        exclusion_zones=(local(box(3010, 3010, 3190, 3190)),),
    )


def open_plain(rows: int = 120, cols: int = 120, cell: float = 25.0, landcover: int = 2) -> Scene:
    """A featureless plain crossed west–east by one invested road in the middle."""
    grid = Grid.from_origin(
        X0, Y0 + rows * cell, cell_size=cell, rows=rows, cols=cols, crs_epsg=9217
    )
    z = np.zeros((rows, cols), np.float32)
    y = rows * cell / 2 - 7.0
    return Scene(
        grid=grid,
        dem=z,
        landcover=np.full((rows, cols), landcover, np.uint8),
        flood=z.copy(),
        population=np.full((rows, cols), 2.0, np.float32),
        roads=(
            RoadRecord(local(LineString([(-50, y), (cols * cell + 50, y)])), "invested", "QL1"),
        ),
        existing_areas=(),
        power_lines=(),
        proposals=(),
        exclusion_zones=(),
    )
