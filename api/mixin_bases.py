"""What each mixin is mixed into, as the type checker sees it.

A mixin calls what the class it is mixed into provides (`super().get_object()`,
`self.request`, `self.action`, `self.fields`). At run time it derives from `object`, so that it
composes with any such class; to mypy (django-stubs, djangorestframework-stubs) it derives from
that class, so that those calls are checked.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.utils.deprecation import MiddlewareMixin
    from rest_framework import generics, relations, serializers, views, viewsets

    MiddlewareBase = MiddlewareMixin

    APIViewBase = views.APIView
    GenericAPIViewBase = generics.GenericAPIView[Any]
    ViewSetBase = viewsets.GenericViewSet[Any]
    SerializerBase = serializers.Serializer[Any]
    ModelSerializerBase = serializers.ModelSerializer[Any]
    RelatedFieldBase = relations.RelatedField[Any, Any, Any]
else:
    MiddlewareBase = object
    APIViewBase = GenericAPIViewBase = ViewSetBase = object
    SerializerBase = ModelSerializerBase = RelatedFieldBase = object
