"""Audit verbs read as words in the back office's history, in Italian by default."""

from django.utils import translation

from incubator.audit_labels import verb_label
from incubator.selection.models import ApplicationState


def test_a_verb_reads_as_words_in_italian_and_english():
    with translation.override("it"):
        assert verb_label("application.admitted") == "Domanda: ammessa"
        assert verb_label("milestone.verify") == "Traguardo: verificato"
    with translation.override("en"):
        assert verb_label("application.admitted") == "Application: admitted"


def test_a_state_takes_its_choices_label_and_an_unknown_verb_stays_readable():
    with translation.override("en"):
        label = verb_label("application.under_evaluation", {"state": ApplicationState})
        assert label == "Application: under evaluation"
        assert verb_label("gizmo.frobbed") == "gizmo: frobbed"
