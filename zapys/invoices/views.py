from django.http import Http404, HttpRequest, HttpResponse


def invoice_page(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404
