from ninja import NinjaAPI

api = NinjaAPI(title="Qingyi API", version="1", urls_namespace="api")
