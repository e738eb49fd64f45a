import datajoint as dj
import numpy as np

from . import acquisition

schema = dj.Schema("example_processing")


@schema
class SortingParams(dj.Lookup):
    definition = """
    params_id : int16
    ---
    threshold : float32      # in units of noise standard deviation
    params : json
    """
    contents = [(1, 4.5, {"method": "threshold"})]


@schema
class SpikeSorting(dj.Computed):
    definition = """
    -> acquisition.Recording
    -> SortingParams
    ---
    unit_count : int32
    sorted_at = CURRENT_TIMESTAMP : datetime
    """

    class Unit(dj.Part):
        definition = """
        -> master
        unit : int32
        ---
        spike_times : <blob>        # seconds
        waveform = null : <blob>
        """

    def make(self, key):
        rate = (acquisition.Recording & key).fetch1("sampling_rate")
        spikes = np.random.default_rng(0).uniform(0, 10, 100) / rate
        self.insert1({**key, "unit_count": 1})
        self.Unit.insert1({**key, "unit": 0, "spike_times": spikes})


@schema
class UnitQuality(dj.Computed):
    definition = """
    -> SpikeSorting.Unit
    ---
    snr : float32
    isolated : bool
    """

    def make(self, key):
        self.insert1({**key, "snr": 5.0, "isolated": True})
