"""Who sees the stored documents and templates: the programme's coordinators (signed acts:
also the grant's venture team). The pages
that hand a document out check the record it is about (``views.py``)."""

from django.db.models import Q

from incubator import access
from incubator.documents.models import DocumentTemplate, GeneratedDocument, SignedAct


@access.rule(DocumentTemplate)
def _template(user) -> Q:
    return Q(programme__in=access.coordinated(user))


@access.rule(GeneratedDocument)
def _document(user) -> Q:
    return Q(programme__in=access.coordinated(user))


@access.rule(SignedAct)
def _signed_act(user) -> Q:
    # The grant's beneficiary (its venture team) and the programme's coordinators.
    return Q(programme__in=access.coordinated(user)) | Q(grant__venture__in=access.own_venture_ids(user))
