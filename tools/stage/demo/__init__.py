"""`make stage-demo`: the whole `stage` story on a temporary copy of this repository (see `stage.demo.run`).

The fixture is two patches beside this file: `in-tree-provider.patch` gives the copy's core an in-tree
provider (`cloud_controller_manager/providers/static`, registered by the core's own entry point, with one
real tie into the core), `cut-the-tie.patch` is the change that cuts that tie.
"""
