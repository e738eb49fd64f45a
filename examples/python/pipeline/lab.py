import datajoint as dj

schema = dj.Schema("example_lab")


@schema
class Lab(dj.Lookup):
    definition = """
    # Laboratories
    lab : varchar(32)          # short name
    ---
    institution : varchar(255)
    """
    contents = [("hubel", "Harvard"), ("wiesel", "Johns Hopkins")]


@schema
class User(dj.Manual):
    definition = """
    user : varchar(32)
    ---
    -> Lab
    email = null : varchar(255)
    """
