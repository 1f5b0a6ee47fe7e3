"""Exports a multi-fidelity SevenNet model for ferromd with its modal (head) chosen at run time.

    python scripts/export-sevennet-heads.py CHECKPOINT OUT.pt

CHECKPOINT is a pretrained name known to sevenn (e.g. 7net-mf-0, shipped with sevenn 0.13.0)
or a checkpoint file. `sevenn_get_model --modal M` (LAMMPS's pair_e3gnn convention) fixes the
modal at export by prepending a module that sets the `modal_type` input, and writes no list of
modals. This script compiles the same model the same way (e3nn script, freeze, the same
extra files) but leaves `modal_type` as an input of the graph dictionary, and adds the extra file
`modal_map` (`NAME:INDEX` pairs, e.g. `R2SCAN:0 PBE:1`), from which ferromd reads the valid head
names and feeds the chosen index (deck `head = "PBE"`, pair_style keyword `head PBE`).
"""

import os
import sys

import e3nn.util.jit
import torch
from ase.data import chemical_symbols

import sevenn
import sevenn._keys as KEY
from sevenn.util import load_checkpoint, pretrained_name_to_path


def export(checkpoint: str, out: str) -> dict:
    if not os.path.isfile(checkpoint):
        checkpoint = pretrained_name_to_path(checkpoint)
    cp = load_checkpoint(checkpoint)
    config = cp.config
    model = cp.build_model(enable_cueq=False, enable_flash=False, enable_oeq=False)
    if model.modal_map is None or len(model.modal_map) < 2:
        raise SystemExit(f"{checkpoint} is not a multi-fidelity model (no modal map)")
    if "force_output" in model._modules:
        model.delete_module_by_key("force_output")
    model.eval_type_map = False
    modal_map = dict(model.modal_map)
    model.eval_modal_map = False  # `modal_type` comes in with the input dictionary
    model.set_is_batch_data(False)
    model.eval()
    scripted = torch.jit.freeze(e3nn.util.jit.script(model))
    extra = {
        "chemical_symbols_to_index": " ".join(
            chemical_symbols[z] for z in config[KEY.TYPE_MAP].keys()
        ),
        "cutoff": str(config[KEY.CUTOFF]),
        "num_species": str(config[KEY.NUM_SPECIES]),
        "flashTP": "no",
        "oeq": "no",
        "model_type": config.get(KEY.MODEL_TYPE, "E3_equivariant_model"),
        "version": sevenn.__version__,
        "dtype": config.get(KEY.DTYPE, "single"),
        "modal_map": " ".join(
            f"{name}:{index}" for name, index in sorted(modal_map.items(), key=lambda kv: kv[1])
        ),
    }
    torch.jit.save(scripted, out, _extra_files=extra)
    return extra


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    meta = export(sys.argv[1], sys.argv[2])
    print(f"wrote {sys.argv[2]}: heads {meta['modal_map']}", file=sys.stderr)
