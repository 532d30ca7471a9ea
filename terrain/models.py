from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from curriculum import terrain as g

BIOME_CHOICES = [(biome, biome.title()) for biome in g.BIOMES]


class Terrain(models.Model):
    """A generated terrain: its parameters, the heightmap, a preview and its Roblox script.

    Immutable once created. The parameters alone reproduce every byte (the generator is
    deterministic); the heightmap, preview and script are stored so that reads cost nothing.
    ``heightmap`` is in :mod:`terrain.heightmap_codec`'s format (about 0.7 bytes a cell).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terrains"
    )
    name = models.CharField(max_length=200)
    size = models.PositiveSmallIntegerField()
    seed = models.PositiveIntegerField()
    biome = models.CharField(max_length=16, choices=BIOME_CHOICES)
    water_level = models.FloatField()
    roughness = models.FloatField()
    octaves = models.PositiveSmallIntegerField()
    max_height = models.PositiveSmallIntegerField(help_text="studs")
    heightmap = models.BinaryField()
    statistics = models.JSONField()
    preview_png = models.BinaryField()
    preview_sha256 = models.CharField(max_length=64)
    script = models.OneToOneField(
        "roblox.RobloxScript", on_delete=models.PROTECT, related_name="terrain"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gte=g.MIN_SIZE, size__lte=g.MAX_SIZE), name="terrain_size_range"
            ),
            models.CheckConstraint(condition=Q(seed__lte=g.MAX_SEED), name="terrain_seed_range"),
            models.CheckConstraint(condition=Q(biome__in=g.BIOMES), name="terrain_biome_known"),
            models.CheckConstraint(
                condition=Q(water_level__gte=0, water_level__lte=1),
                name="terrain_water_level_range",
            ),
            models.CheckConstraint(
                condition=Q(roughness__gte=0, roughness__lte=1), name="terrain_roughness_range"
            ),
            models.CheckConstraint(
                condition=Q(octaves__gte=g.MIN_OCTAVES, octaves__lte=g.MAX_OCTAVES),
                name="terrain_octaves_range",
            ),
            models.CheckConstraint(
                condition=Q(max_height__gte=g.MIN_MAX_HEIGHT, max_height__lte=g.MAX_MAX_HEIGHT),
                name="terrain_max_height_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def params(self) -> g.TerrainParams:
        return g.TerrainParams(
            size=self.size,
            seed=self.seed,
            biome=self.biome,
            water_level=self.water_level,
            roughness=self.roughness,
            octaves=self.octaves,
            max_height=self.max_height,
        )
