app_name = "escorts"
urlpatterns: list = []
