"""Who sees the stored documents and templates: the programme's coordinators. The pages
that hand a document out check the record it is about (``views.py``)."""

from django.db.models import Q

from incubator import access
from incubator.documents.models import DocumentTemplate, GeneratedDocument


@access.rule(DocumentTemplate)
def _template(user) -> Q:
    return Q(programme__in=access.coordinated(user))


@access.rule(GeneratedDocument)
def _document(user) -> Q:
    return Q(programme__in=access.coordinated(user))
