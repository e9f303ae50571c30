from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


@login_required
def home(request):
    """Role-aware landing page: admins go to the admin, others to their dashboard."""
    if request.user.is_admin_role:
        return redirect("admin:index")
    return render(request, "home.html")
