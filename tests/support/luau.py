"""Luau programs for the terrain, roblox and rate-limit tests: one the validator accepts, one it
rejects."""

VALID_LUAU = 'local part = Instance.new("Part")\npart.Anchored = true\npart.Parent = workspace\n'
BROKEN_LUAU = "local function broken(\n\tprint('never closed')\n"
