from django.urls import path

from qingyi.organizations.views import cadres, references, tree

# The ``organizations`` namespace also holds the cadre pages that choose people
# (people/views/cadres.py: ``organizations:election_new``, ``organizations:position_new``),
# which stand above organizations: the project's URLconf puts both lists under the namespace.
urlpatterns = [
    path("", tree.tree, name="tree"),
    path("cadres/", cadres.cadre_structure, name="cadre_structure"),
    path("party-branches/", references.party_branch_list, name="party_branch_list"),
    path("departments/", references.department_list, name="department_list"),
    path("<id:org_pk>/", tree.detail, name="detail"),
    path("<id:org_pk>/new/", tree.create_child, name="create"),
    path("<id:org_pk>/edit/", tree.edit, name="edit"),
    path("<id:org_pk>/move/", tree.move, name="move"),
    path("<id:org_pk>/archive/", tree.archive, name="archive"),
    path("<id:org_pk>/restore/", tree.restore, name="restore"),
    path("positions/<id:position_pk>/end/", cadres.position_end, name="position_end"),
]
