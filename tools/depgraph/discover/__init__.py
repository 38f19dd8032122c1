"""The discovery stage: configuration, distributions, their manifests and layouts, modules, environment."""
