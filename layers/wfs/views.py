from django.http import HttpResponse


def wfs(request):
    return HttpResponse(status=501)
