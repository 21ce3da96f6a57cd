from django.urls import path

from qingyi.organizations import views

# The ``organizations`` namespace also holds the cadre pages that choose people
# (people/views/cadres.py: ``organizations:election_new``, ``organizations:position_new``),
# which stand above organizations: the project's URLconf puts both lists under the namespace.
urlpatterns = [
    path("", views.tree, name="tree"),
    path("cadres/", views.cadre_structure, name="cadre_structure"),
    path("party-branches/", views.party_branch_list, name="party_branch_list"),
    path("departments/", views.department_list, name="department_list"),
    path("<id:org_pk>/", views.detail, name="detail"),
    path("<id:org_pk>/new/", views.create_child, name="create"),
    path("<id:org_pk>/edit/", views.edit, name="edit"),
    path("<id:org_pk>/move/", views.move, name="move"),
    path("<id:org_pk>/archive/", views.archive, name="archive"),
    path("<id:org_pk>/restore/", views.restore, name="restore"),
    path("positions/<id:position_pk>/end/", views.position_end, name="position_end"),
]
