"""Values on hover: a figure's image with a readout of the step under the pointer.

The figures are PNGs drawn on the server (:mod:`~community_model.app.plots`), so the browser
knows no values. :class:`HoverImage` wraps the image in a small Vue template that knows only
where the steps lie along the image (``axis``: the step under a pointer at a fraction ``f`` of
the image's width is ``round((f - a) / b)``, for steps ``first`` to ``last``). When the
pointer moves onto another step, the page sets ``hover_step``; the server answers with the
``readout`` of that step (its date and time, and each line's value with its unit), which the
page shows beside the pointer. One small message per step hovered, none per model step.
"""

from __future__ import annotations

import ipyvue
import ipywidgets
import solara
import traitlets
from mesa.visualization.utils import update_counter

from community_model import CommunityModel

TEMPLATE = """
<template>
  <div class="app-hover" @mousemove="move" @mouseleave="leave">
    <jupyter-widget :widget="image" />
    <div v-if="inside && readout" class="app-readout" :style="box">{{ readout }}</div>
  </div>
</template>
<script>
module.exports = {
  data() {
    return { inside: false, box: {} };
  },
  methods: {
    move(event) {
      if (!this.axis || this.axis.length !== 4) return;
      const rect = event.currentTarget.getBoundingClientRect();
      const x = event.clientX - rect.left;
      const [a, b, first, last] = this.axis;
      const step = Math.round((x / rect.width - a) / b);
      this.inside = step >= first && step <= last;
      if (!this.inside) return;
      const left = x < rect.width / 2;
      this.box = {
        left: (left ? x + 14 : x - 14) + "px",
        top: Math.max(0, event.clientY - rect.top - 20) + "px",
        transform: left ? "none" : "translateX(-100%)",
      };
      if (step !== this.hover_step) this.hover_step = step;
    },
    leave() {
      this.inside = false;
    },
  },
};
</script>
"""

#: The readout's look (added to the page's style sheet).
CSS = """
.app-hover { position: relative; width: fit-content; max-width: 100%; }
.app-readout {
    position: absolute; z-index: 5; pointer-events: none; white-space: pre;
    font-size: 13px; line-height: 1.35; padding: 3px 7px; border-radius: 3px;
    background: rgba(255, 255, 255, 0.94); color: #212121; border: 1px solid #9e9e9e;
}
.theme--dark .app-readout { background: rgba(40, 40, 40, 0.94); color: #eeeeee; }
"""


class HoverImage(ipyvue.VueTemplate):
    """An image with a readout of the step under the pointer (see the module docstring)."""

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    image = traitlets.Instance(ipywidgets.Image, allow_none=True).tag(
        sync=True, **ipywidgets.widget_serialization
    )
    axis = traitlets.List(traitlets.Float(), default_value=[]).tag(sync=True)
    hover_step = traitlets.Int(-1).tag(sync=True)
    readout = traitlets.Unicode("").tag(sync=True)


@solara.component
def HoverFigure(model: CommunityModel, plot, args: tuple = ()):
    """``plot`` (a :class:`~community_model.app.plots.LivePlot`) at the model's step, with the
    values of the step under the pointer. Re-renders after every model step (Mesa's
    ``update_counter``): its arguments stay the same objects while the model runs."""
    update_counter.get()
    step, set_step = solara.use_state(-1)
    image = plot.show(model, *args)  # draws first: the axis and the lines are current
    readout = plot.readout(model, step) if step >= 0 else ""
    return HoverImage.element(
        image=image,
        axis=plot.hover_axis(),
        readout=readout,
        hover_step=step,
        on_hover_step=set_step,
    )
